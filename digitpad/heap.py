"""Keeping Python's garbage collector from freezing the window.

A full collection walks every object Python tracks, holding the GIL. With torch or TensorFlow
loaded that is hundreds of thousands of objects: on a 2-core VM full collections took 40-400 ms
each, several of them while a model loaded in the background, and the window stood still for
each. So loading runs with automatic collection paused, and a framework's first import is
followed by a freeze: what exists then (the framework's modules, the app itself) is moved out of
the collector's sight for good, and later full collections walk only what has been made since.
The freeze comes before the model is built: a frozen object that later becomes garbage in a
cycle is never freed, and freezing whole loaded models (evicted from the cache later) kept
about 70 MB more over a 10-minute soak (+115 MB against +47 MB).
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger("digitpad.heap")
_lock = threading.Lock()
_loading = 0  # loads under way, on any thread
_resume = True  # whether collection was on when the first of them began


@contextmanager
def loading_without_pauses() -> Iterator[None]:
    """Pause automatic collection while a load runs (on any thread); resume it when the last
    one ends, unless the host program had turned collection off itself."""
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
            if _loading == 0 and _resume:
                gc.enable()


def import_and_freeze(do_import: Callable[[], object]) -> None:
    """Run a framework's import; if it brought in modules, freeze everything that exists."""
    before = len(sys.modules)
    do_import()
    imported = len(sys.modules) - before
    if imported > 0:
        gc.freeze()
        log.info("froze %d objects after importing %d modules", gc.get_freeze_count(), imported)
