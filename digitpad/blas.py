"""Keeping numpy's BLAS to one thread while it works next to torch or TensorFlow.

numpy only multiplies small matrices here (resampling in preprocessing and augmentation). With
more threads, OpenBLAS's helpers spin after each call and fight the framework's threads for the
cores: on 2 cores that made every live prediction about ten times slower. The limit is set at
run time, around the calls, so it holds whatever was imported first and leaves a host program's
own numpy work (a notebook, say) as it was.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache


@cache
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas")


def one_thread() -> AbstractContextManager:
    """A context in which numpy's BLAS uses one thread (about 10 us to enter and leave)."""
    return _blas().limit(limits=1)
