"""The runs view's chart: the loss and the accuracy per epoch of several training runs on one pair
of charts, training solid and validation dashed, one colour per run, with short legend names."""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from digitpad import runs
from digitpad.backends import label
from digitpad.ui.charts import TrainingChart, nice_step

# Tableau's ten colours: distinct, and readable on white.
COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")  # fmt: skip


def legend_names(shown: list[runs.Run]) -> list[str]:
    """Short names for a chart's legend: backend and network ("Keras CNN"), with the start
    time where two runs share that, and a number where they share both."""
    names = [f"{label(r.backend)} {r.network_name}" for r in shown]
    names = [
        f"{n} {r.started[11:16]}" if names.count(n) > 1 else n
        for n, r in zip(names, shown, strict=True)
    ]
    return [
        f"{n} #{names[:i].count(n) + 1}" if names.count(n) > 1 else n for i, n in enumerate(names)
    ]


class RunsChart(QWidget):
    def __init__(self) -> None:
        super().__init__(objectName="runsCharts")
        self.setAutoFillBackground(True)  # a PNG of it has the window's background
        self.loss = TrainingChart("Loss per epoch", "loss", ())
        self.accuracy = TrainingChart("Accuracy per epoch", "accuracy", (), (0.0, 1.0))
        pair = QHBoxLayout()
        pair.addWidget(self.loss)
        pair.addWidget(self.accuracy)
        key = QLabel(
            "solid: training · dashed: validation (the share held out)",
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(pair, 1)
        box.addWidget(key)

    def draw(self, shown: list[runs.Run]) -> None:
        """Draw these runs (and no others); accuracy is shown from a round value below the
        lowest, so runs that all end near 99% can still be told apart."""
        for chart in (self.loss, self.accuracy):
            chart.remove_lines()
            chart.reset(max([len(r.epochs) for r in shown], default=1))
        lowest = 1.0
        for n, (run, name) in enumerate(zip(shown, legend_names(shown), strict=True)):
            colour = QColor(COLOURS[n % len(COLOURS)])
            for chart, key in ((self.loss, "loss"), (self.accuracy, "accuracy")):
                for measure, dashed in ((key, False), (f"val_{key}", True)):
                    points = [(e, m[measure]) for e, m in enumerate(run.epochs, 1) if measure in m]
                    if not points:
                        continue
                    line = chart.add_line(
                        f"{name} validation" if dashed else name, colour, dashed, not dashed
                    )
                    for x, y in points:
                        chart.add(line, x, y)
                    if key == "accuracy":
                        lowest = min(lowest, *(y for _, y in points))
        step = nice_step(1.0 - lowest, 4) if lowest < 1.0 else 0.1
        self.accuracy.fit_y(max(0.0, math.floor(lowest / step) * step), 1.0)

    def save_png(self, path: Path) -> bool:
        QCoreApplication.sendPostedEvents()  # the legends lay out in posted events
        return self.grab().save(str(path), "PNG")
