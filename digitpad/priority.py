"""Background work yields the CPU to the window.

Training keeps every core busy. At equal priority the GUI thread, which reads the drawing on
every frame, gets only its share of the cores and a live reading waits behind training steps.
A thread that does background work lowers its own scheduling priority (a higher nice value) when
it starts. Threads it creates inherit that, and PyTorch's OpenMP workers are created by the
thread that first runs a parallel operation, so a training run's whole team yields to the
window and still has all of the CPU when the window is idle.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

BACKGROUND_NICE = 10  # CFS weight 110 against the window's 1024: about 9 to 1 when both want a core

log = logging.getLogger("digitpad.priority")


def lower_this_thread(nice: int = BACKGROUND_NICE) -> bool:
    """Give the calling thread (only it, not the process) a lower priority; False where the
    platform cannot do that per thread (then nothing changes)."""
    if not sys.platform.startswith("linux"):  # elsewhere PRIO_PROCESS means the whole process
        return False
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, max(current, nice))
    except OSError as err:  # a sandbox that forbids it: run as before
        log.info("could not lower a background thread's priority: %s", err)
        return False
    return True
