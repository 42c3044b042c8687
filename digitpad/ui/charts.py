"""The loss and accuracy charts of the training panel and the runs view: whole-number epoch
ticks, round loss ticks, short legends."""

from __future__ import annotations

import math

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPen


def nice_step(span: float, ticks: int = 5) -> float:
    """A round tick interval (1, 2 or 5 times a power of ten) giving about `ticks` ticks."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


class TrainingChart(QChartView):
    def __init__(
        self,
        title: str,
        y_title: str,
        names: tuple[str, ...],
        y_range: tuple[float, float] | None = None,
    ) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.setMargins(QMargins(2, 2, 2, 2))
        legend = chart.legend()
        legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
        font = legend.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        legend.setFont(font)
        self.x_axis, self.y_axis = QValueAxis(), QValueAxis()
        self.x_axis.setTitleText("epoch")
        self.x_axis.setLabelFormat("%d")
        self.x_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        self.x_axis.setTickAnchor(0)
        self.y_axis.setTitleText(y_title)
        self.y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        self.y_axis.setTickAnchor(0)
        self._fixed_y = y_range
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series: list[QLineSeries] = []
        super().__init__(chart)
        for name in names:
            self.add_line(name)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(240, 190)
        self.reset(1)

    def add_line(
        self, name: str, color: QColor | None = None, dashed: bool = False, in_legend: bool = True
    ) -> int:
        """One more line (the runs view draws one per run and measure); its index for `add`."""
        line = QLineSeries(name=name)
        line.setPointsVisible(True)  # one epoch is one point: a line alone would not show
        self.chart().addSeries(line)
        line.attachAxis(self.x_axis)
        line.attachAxis(self.y_axis)
        if color is not None or dashed:
            pen = QPen(line.pen())
            pen.setWidthF(2.0)
            if color is not None:
                pen.setColor(color)
            if dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            line.setPen(pen)
            if color is not None:
                line.setColor(color)  # the points too
        if not in_legend:
            for marker in self.chart().legend().markers(line):
                marker.setVisible(False)
        self.series.append(line)
        return len(self.series) - 1

    def remove_lines(self) -> None:
        for line in self.series:
            self.chart().removeSeries(line)
        self.series = []

    def fit_y(self, low: float, high: float) -> None:
        """Show exactly [low, high] on round ticks (the runs view zooms in on accuracy)."""
        self._set_y(low, high, nice_step(high - low, 4))

    def reset(self, epochs: int) -> None:
        for line in self.series:
            line.clear()
        self.x_axis.setRange(0, max(1, epochs))
        self.x_axis.setTickInterval(max(1, round(nice_step(epochs, 6))))
        self._top = 0.0
        if self._fixed_y:
            low, high = self._fixed_y
            self._set_y(low, high, nice_step(high - low))
        else:
            self._fit_y(1.0)

    def add(self, index: int, x: float, y: float) -> None:
        self.series[index].append(x, y)
        if not self._fixed_y and math.isfinite(y) and y > self._top:
            self._fit_y(y)

    def _fit_y(self, value: float) -> None:
        step = nice_step(value, 4)
        self._top = math.ceil(value / step) * step
        self._set_y(0.0, self._top, step)

    def _set_y(self, low: float, high: float, step: float) -> None:
        """The y range and its ticks. The interval is first made as wide as both the old and
        the new range: a diverging loss (1e15) on ticks of 0.2, or back, would otherwise ask
        a shown chart for billions of ticks and hang the window."""
        axis = self.y_axis
        decimals = max(0, -math.floor(math.log10(step)))
        low = round(low, decimals + 6)  # 17 * 0.05 is 0.8500000000000001: its top tick is lost
        axis.setTickInterval(max(axis.max() - axis.min(), high - low, step))
        axis.setRange(low, high + step * 1e-9)
        axis.setTickAnchor(low)
        axis.setTickInterval(step)
        axis.setLabelFormat("%.3g" if step >= 1e4 else f"%.{decimals}f")
