"""digitpad: draw a digit and watch a PyTorch or Keras network read it as you draw.

Importing this package must stay cheap: no Qt, torch or TensorFlow at import time.
"""

import os

# numpy only ever multiplies small matrices here (preprocessing, augmentation). OpenBLAS's
# helper threads would spin between those calls and fight torch's own threads for the cores:
# on 2 cores that made each live prediction ~10x slower. One BLAS thread is all numpy needs.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
