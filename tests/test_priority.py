"""Background jobs (training above all) run at a lower priority than the window's thread, and so
do the threads PyTorch starts for them, so live reading keeps its core while a model trains."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from digitpad.ui.workers import WorkerPool

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread priorities are a Linux feature"
)


def thread_nices() -> dict[int, int]:
    """Every thread of this process and its nice value (field 19 of /proc/.../stat)."""
    nices = {}
    for task in Path("/proc/self/task").iterdir():
        stat = (task / "stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()  # after the name, which may hold spaces
        nices[int(task.name)] = int(fields[16])
    return nices


def test_a_training_team_yields_to_the_window(qapp):
    import torch

    window_thread = threading.get_native_id()
    window_nice = os.getpriority(os.PRIO_PROCESS, window_thread)
    before = set(thread_nices())
    pool = WorkerPool(threads=1, name="test-priority")
    seen = {}

    def job(worker) -> None:
        seen["own"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        x = torch.rand(64, 8, 56, 56)
        torch.nn.functional.conv2d(x, torch.rand(8, 8, 3, 3)).sum()  # a parallel operation
        seen["new threads"] = {
            tid: nice for tid, nice in thread_nices().items() if tid not in before
        }

    pool.start(job, "priority")
    assert pool.wait(60_000)
    assert seen["own"] >= 10
    assert seen["new threads"], "the pool started no thread"
    assert min(seen["new threads"].values()) >= 10, seen  # PyTorch's workers inherit it
    assert os.getpriority(os.PRIO_PROCESS, window_thread) == window_nice  # window unchanged
