"""Importing TensorFlow safely: beside PyTorch, and from any thread.

Two traps, both process-killing:
- torch (for its optimizers) loads triton, whose LLVM clashes with TensorFlow's: if TensorFlow is
  in the process first, loading triton afterwards crashes it (a segfault in libtriton). Loading
  triton first is harmless.
- TensorFlow's bundled pybind11 (2.13, pybind11 issue #2888) remembers the Python thread state of
  the thread that first imports it, in a thread-local slot it never clears. When that thread is a
  reused pool thread, the thread state is freed after the job, and the next TensorFlow call on
  the same OS thread segfaults or deadlocks taking the GIL with the freed state. Importing on a
  short-lived thread of its own means the slot is only ever set on a thread that is gone.

So every TensorFlow (and Keras) import in digitpad goes through here; a test checks that.
"""

from __future__ import annotations

import os
import sys
import threading

# Keras 3 must run on TensorFlow here, and TensorFlow's start-up chatter helps nobody.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

IMPORT_THREAD = "tensorflow-import"
_lock = threading.Lock()


def _import_on_own_thread() -> None:
    failure: list[BaseException] = []

    def run() -> None:
        try:
            try:
                import triton  # noqa: F401
            except ImportError:
                pass
            import tensorflow  # noqa: F401
        except BaseException as err:  # handed to the caller's thread
            failure.append(err)

    thread = threading.Thread(target=run, name=IMPORT_THREAD, daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def tensorflow():
    """The tensorflow module (imported once, after triton, on a thread of its own)."""
    if "tensorflow" not in sys.modules:
        with _lock:
            if "tensorflow" not in sys.modules:
                _import_on_own_thread()
    import tensorflow as tf

    return tf


def keras():
    """The keras module, running on TensorFlow."""
    tensorflow()
    import keras as keras_module

    return keras_module
