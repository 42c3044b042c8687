"""The Qt binding must not leak references to None.

PySide6 6.12.0 on Python 3.11 dropped one reference to `None` on every `QPainter.setPen(QColor)`
or `setBrush(QColor)`; after enough repaints the count reached zero and the interpreter aborted
("deallocating None"), killing the app after about 20 drawn digits. Offscreen tests never
repainted enough to get there, so this one repaints every custom widget hundreds of times and
checks the count directly.

pyproject holds PySide6 at 6.11.3 on Python 3.11 only. From 3.12 `None` is immortal: its count
stays at a fixed value, so a binding that drops references cannot free it, and these tests pass
with the newest PySide6 there (checked on 3.13 with 6.12.0), which is what the pin allows.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from digitpad.ui.canvas import DrawingCanvas
from digitpad.ui.charts import TrainingChart
from digitpad.ui.evaluation import ConfusionMatrix
from digitpad.ui.preview import PreviewImage
from digitpad.ui.probabilities import ProbabilityBars
from tests.gui import line

REPAINTS = 300
# Other code may hold or drop a few references to None meanwhile; the leak lost ~90 per repaint.
SLACK = 50


def _widgets(qtbot) -> dict:
    rng = np.random.default_rng(0)
    canvas = DrawingCanvas()
    canvas.resize(300, 300)
    bars = ProbabilityBars()
    bars.resize(240, 200)
    bars.set_probabilities(rng.dirichlet(np.ones(10)))
    preview = PreviewImage()
    preview.resize(140, 140)
    preview.set_image(rng.random((28, 28), dtype=np.float32))
    confusion = ConfusionMatrix()
    confusion.resize(400, 400)
    confusion.set_matrix(rng.integers(0, 50, (10, 10)))
    chart = TrainingChart("Loss", "loss", ("batch", "validation"))
    chart.reset(5)
    for i in range(50):
        chart.add(0, i / 10, float(np.exp(-i / 20)))
    chart.resize(300, 220)
    found = {
        "canvas": canvas,
        "bars": bars,
        "preview": preview,
        "confusion": confusion,
        "chart": chart,
    }
    for widget in found.values():
        qtbot.addWidget(widget)
        widget.show()
    qtbot.waitExposed(canvas)
    line(canvas, (0.3, 0.2), (0.6, 0.8))  # some ink, so the canvas paints strokes too
    return found


@pytest.mark.parametrize("name", ["canvas", "bars", "preview", "confusion", "chart"])
def test_repainting_does_not_leak_references_to_none(qtbot, name):
    widget = _widgets(qtbot)[name]
    widget.grab()  # first paint: caches, fonts and glyphs are created once
    before = sys.getrefcount(None)
    for _ in range(REPAINTS):
        widget.grab()
    lost = before - sys.getrefcount(None)
    assert lost < SLACK, f"{name}: {lost} references to None lost in {REPAINTS} repaints"


def test_painter_colour_calls_do_not_leak(qtbot):
    """The binding bug itself, in its smallest form."""
    from PySide6.QtGui import QColor, QImage, QPainter

    image = QImage(16, 16, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(1000):
        painter.setPen(QColor(1, 2, 3))
        painter.setBrush(QColor(4, 5, 6))
    lost = before - sys.getrefcount(None)
    painter.end()
    assert lost < SLACK, f"{lost} references to None lost in 2,000 painter calls"
