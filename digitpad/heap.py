"""Keeping Python's garbage collector from freezing the window.

A full collection walks every object Python tracks, holding the GIL. With torch or TensorFlow
loaded that is hundreds of thousands of objects: on a 2-core VM full collections took 40-400 ms
each, several of them while a model loaded in the background, and the window stood still for
each. So loading runs with automatic collection paused, and what it built is then frozen: moved
out of the collector's sight for good (frameworks and models live as long as the app), so later
full collections walk only what the app has made since.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_loading = 0          # loads under way, on any thread
_resume = True        # whether collection was on when the first of them began


@contextmanager
def loading_without_pauses() -> Iterator[None]:
    """Pause automatic collection while long-lived objects are made (a framework import, a
    model load); when the last such load ends, freeze what exists and resume collection (unless
    the host program had turned it off itself)."""
    global _loading, _resume
    with _lock:
        if _loading == 0:
            _resume = gc.isenabled()
            gc.disable()
        _loading += 1
    try:
        yield
    finally:
        with _lock:
            _loading -= 1
            if _loading == 0:
                gc.freeze()
                if _resume:
                    gc.enable()
