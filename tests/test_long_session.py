"""A long scripted session in a real window: thousands of strokes, readings and repaints.

The app once died after about 20 drawn digits (a Qt binding that leaked references to None on
every repaint); short tests never got there. This one draws 1,000 strokes with real mouse events,
reads each digit, repaints the whole window after every stroke, and checks that the window still
answers, that references to None hold, and that memory does not keep growing.
"""

from __future__ import annotations

import re
import resource
import sys

import numpy as np
from PySide6.QtWidgets import QApplication

from tests.gui import drag
from tests.test_window import open_window

DIGITS = 250
STROKES_PER_DIGIT = 4


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _random_stroke(rng: np.random.Generator, side: int) -> list[tuple[float, float]]:
    """A smooth random curve across the middle of the canvas, sampled like a mouse."""
    t = np.linspace(0, 1, int(rng.integers(8, 30)))
    a, b, c = rng.uniform(0.2, 0.8, (3, 2))
    curve = (1 - t)[:, None] ** 2 * a + 2 * ((1 - t) * t)[:, None] * b + t[:, None] ** 2 * c
    return [(x * side, y * side) for x, y in curve]


def test_a_thousand_strokes_with_repaints(qtbot):
    window = open_window(qtbot)
    canvas = window.canvas
    rng = np.random.default_rng(0)
    readings, rss = [], []
    refs_before = sys.getrefcount(None)
    for digit in range(DIGITS):
        for _ in range(STROKES_PER_DIGIT):
            drag(canvas, _random_stroke(rng, canvas.width()))
            window.repaint()
            QApplication.processEvents()
        window.predict_drawing()
        readings.append(window.predictionLabel.text())
        canvas.clear()
        if digit == DIGITS // 5:
            rss_warm = _rss_mb()
        rss.append(_rss_mb())
    lost = refs_before - sys.getrefcount(None)
    assert lost < 200, f"{lost} references to None lost"
    assert all(re.fullmatch(r"\d", r) for r in readings)
    assert rss[-1] - rss_warm < 60, f"memory grew from {rss_warm:.0f} to {rss[-1]:.0f} MB"
    assert canvas.history.count() <= canvas.history.undoLimit()
