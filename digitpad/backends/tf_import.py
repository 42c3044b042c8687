"""Importing TensorFlow safely beside PyTorch.

torch (for its optimizers) loads triton, whose LLVM clashes with TensorFlow's: if TensorFlow is
in the process first, loading triton afterwards crashes it (a segfault in libtriton). Loading
triton first is harmless, so every TensorFlow import in digitpad goes through here.
"""

from __future__ import annotations

import os

# Keras 3 must run on TensorFlow here, and TensorFlow's start-up chatter helps nobody.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def tensorflow():
    """The tensorflow module, imported after triton where triton is installed."""
    try:
        import triton  # noqa: F401
    except ImportError:
        pass
    import tensorflow as tf

    return tf


def keras():
    """The keras module, running on TensorFlow."""
    tensorflow()
    import keras as keras_module

    return keras_module
