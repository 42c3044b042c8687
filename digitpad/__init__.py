"""digitpad: draw a digit and watch a PyTorch or Keras network read it as you draw.

Importing this package must stay cheap: no Qt, torch or TensorFlow at import time.
"""

__version__ = "0.2.0"
