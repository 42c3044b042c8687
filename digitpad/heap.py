"""Keeping Python's garbage collector from freezing the window.

A full collection walks every object Python tracks, holding the GIL. With torch or TensorFlow
loaded that is hundreds of thousands of objects: on a 2-core VM full collections took 40-400 ms
each, several of them while a model loaded in the background, and the window stood still for
each. So loading runs with automatic collection paused; and when a load brought in new modules
(a framework's first import), what exists is then frozen: moved out of the collector's sight for
good, as those modules live as long as the app, so later full collections walk only what the app
has made since. Only then: freezing also keeps whatever garbage is waiting at that moment, and a
freeze on every load kept 100 MB in a 10-minute soak of 1,800 model switches.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_loading = 0          # loads under way, on any thread
_resume = True        # whether collection was on when the first of them began
_modules_before = 0   # how many modules were imported when the first of them began


@contextmanager
def loading_without_pauses() -> Iterator[None]:
    """Pause automatic collection while long-lived objects are made (a framework import, a
    model load); when the last such load ends, freeze what exists if modules were imported, and
    resume collection (unless the host program had turned it off itself)."""
    global _loading, _resume, _modules_before
    with _lock:
        if _loading == 0:
            _resume = gc.isenabled()
            _modules_before = len(sys.modules)
            gc.disable()
        _loading += 1
    try:
        yield
    finally:
        with _lock:
            _loading -= 1
            if _loading == 0:
                if len(sys.modules) > _modules_before:
                    gc.freeze()
                if _resume:
                    gc.enable()
