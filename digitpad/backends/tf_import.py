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

TensorFlow's native code also prints lines on stderr before its logging is set up (absl's "All
log messages before absl::InitializeLog()", "Could not find cuda drivers", "failed call to
cuInit" on machines without a GPU) that no setting silences. They are caught at the file
descriptor while TensorFlow loads and looks for GPUs, and everything else printed meanwhile is
passed on.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.util import find_spec

# Keras 3 runs on TensorFlow where it is installed; elsewhere (the CPU build) on torch, and the
# Keras backend reads and trains through the PyTorch twin of each network (keras_torch).
# Set, not defaulted: a KERAS_BACKEND left in the user's environment (or a parent process's)
# would make Keras look for a framework this install does not have.
HAVE_TENSORFLOW = find_spec("tensorflow") is not None
os.environ["KERAS_BACKEND"] = "tensorflow" if HAVE_TENSORFLOW else "torch"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

IMPORT_THREAD = "tensorflow-import"
_lock = threading.Lock()
# absl's own lines ("I0000 00:00:1795952701.257606   15458 cudart_stub.cc:31] ...") below
# ERROR, its pre-initialisation notice, CPU-feature advice, and the no-GPU error.
NOISE = re.compile(
    r"^([IW]\d{4} [\d:.]+ +\d+ \S+:\d+\]|WARNING: All log messages "
    r"before absl::InitializeLog|To enable the following instructions|"
    r"E\d{4} .*(cuInit|cuda_platform|cuda_dnn|cuda_blas|cuda_fft))"
)


@contextmanager
def native_chatter_filtered() -> Iterator[None]:
    """Hold back what native code writes to stderr (fd 2) meanwhile; drop TensorFlow's start-up
    noise from it and write the rest out afterwards."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable stderr (a windowed app): nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            lines = held.read().decode("utf-8", "replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if not NOISE.match(line))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()


def _leave_a_core_for_the_window(tf) -> None:
    """Training shares TensorFlow's thread pools with the window's live readings. With every
    core on each op of a training step, a reading waited behind them (p99 110 ms on 2 cores,
    the event loop stalled 140 ms); with one core left free and enough inter-op threads for a
    reading to start at once, p99 20 ms, for Keras training about 15% slower on 2 cores
    (benchmarks/stutter.py). Must run before TensorFlow's runtime starts."""
    cores = os.cpu_count() or 2
    tf.config.threading.set_intra_op_parallelism_threads(max(1, cores - 1))
    tf.config.threading.set_inter_op_parallelism_threads(cores + 2)


def _import_on_own_thread() -> None:
    failure: list[BaseException] = []

    def run() -> None:
        try:
            try:
                import triton  # noqa: F401
            except ImportError:
                pass
            with native_chatter_filtered():
                import tensorflow

                _leave_a_core_for_the_window(tensorflow)
                tensorflow.config.list_physical_devices("GPU")  # cuInit's complaint, now
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
    """The keras module, running on TensorFlow (or on torch where TensorFlow is absent)."""
    if HAVE_TENSORFLOW:
        tensorflow()
    import keras as keras_module

    return keras_module
