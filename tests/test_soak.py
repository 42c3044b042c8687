"""The soak test's short form: a few hundred seeded random actions on a real window (`make soak`
runs the same monkey for ten minutes). Nothing may escape to the last-resort handler, no worker
may be left running, the event loop may never block for 2 s, and memory must level off."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from digitpad.ui.last_resort import LastResort
from tests.monkey import Monkey
from tests.test_window import open_window

ACTIONS = 500
WARM_UP = 0.4  # share of the actions after which memory is measured: the first ones bring
# one-time costs (caches filling, the undo history reaching its cap, allocator pools)


@pytest.mark.qt_no_exception_capture  # the app's own last-resort handler is what is tested
def test_a_few_hundred_random_actions(qtbot, tmp_path):
    window = open_window(qtbot)
    handler = LastResort(window)
    handler.install()
    try:
        report = Monkey(window, tmp_path, seed=1).run(QApplication.instance(), actions=ACTIONS,
                                                      warm_up=WARM_UP)
    finally:
        handler.uninstall()
    assert report.actions == ACTIONS
    assert handler.caught == 0, "an exception escaped to the last-resort handler"
    assert not window.loads.running() and not window.tasks.running()
    assert report.longest_block_s < 2.0, f"event loop blocked {report.longest_block_s:.1f} s"
    assert report.growth_mb() < 100, f"memory grew {report.growth_mb():.0f} MB after warm-up"
    assert report.counts.get("stroke", 0) > 50 and report.counts.get("model", 0) > 3
