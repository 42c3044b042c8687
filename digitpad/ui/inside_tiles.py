"""The painting widgets of Inside the network: one layer's output (a grid of feature-map tiles, a
strip of dense units, or the ten output probabilities) under a one-line heading, and the 28x28
input with one feature map laid over the part of the image it looks at. Pictures are composed in
numpy (digitpad.layer_pictures) and painted as one image, so a live update stays cheap."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from digitpad.layer_outputs import OUTPUT, LayerOutput
from digitpad.layer_pictures import (
    GAP,
    TILE,
    Layout,
    colours,
    map_layout,
    render,
    scale_of,
    strip_layout,
)

MAP_ROWS = 3  # rows of tiles a layer of maps may take; the count says when not all fit
FILTER_TILE = 30  # px: a 3x3 kernel at 10 px a weight, 5x5 at 6 (a weight's sign at a glance)
STRIP_ROWS = 3  # rows of cells a dense layer may take
BAR_HEIGHT = 44  # the output probabilities' tallest bar, px
WINNER, OTHER = QColor(33, 118, 220), QColor(150, 160, 175)  # as the main window's bars
FILTERS = "filters"  # the kind of the first convolution's kernels, shown as a layer


class LayerTiles(QWidget):
    """One layer: a heading (name, shape, range) and its picture, laid out for the width."""

    mapClicked = Signal(int)  # the index of the feature map clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layerTiles")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.output: LayerOutput | None = None
        self.grid: Layout | None = None
        self._image, self._argb = QImage(), None
        self._laid_for = -1
        self._text = ""
        self._stale = False  # the picture waits for the next paint: hidden rows cost nothing
        self._heading = QFontMetrics(self.font()).lineSpacing() + 4

    def set_output(self, output: LayerOutput | None) -> None:
        before, self.output = self.output, output
        same = before is not None and output is not None and before.shape == output.shape
        if not (same and before.kind == output.kind):
            self._lay_out()
        self._stale = True
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(600, self.height())

    def resizeEvent(self, event) -> None:
        if event.size().width() != self._laid_for:
            self._lay_out()
            self._stale = True
        super().resizeEvent(event)

    def heading(self) -> str:
        """What the line above the picture says (the count when not all maps fit)."""
        out = self.output
        if out is None:
            return ""
        shape = " × ".join(str(n) for n in out.shape)
        if out.kind == FILTERS:
            return f"{out.name} · {shape}: what each map of that layer looks for"
        if out.kind == "flatten":
            above = "the input" if out.steps[:1] == (0,) else "the maps above"
            return f"{out.name} · {shape} values: {above} in one row"
        if out.kind == OUTPUT:
            best = int(out.array.argmax())
            return f"{out.name} · {shape} · {best} at {out.array[best]:.1%}"
        s = out.stats()
        text = f"{out.name} · {shape} · {s['min']:.2f} to {s['max']:.2f}"
        if out.relu:
            text += f" · {s['zeros']:.0%} zero"
        if self.grid is not None and self.grid.shown < self.grid.total:
            what = "maps" if out.maps else "units"
            text += f" · {self.grid.shown} of {self.grid.total} {what} shown (widen for more)"
        return text

    def _lay_out(self) -> None:
        """Where the tiles go, for this shape and width: the height follows from it."""
        out, width = self.output, max(self.width(), 120)
        self._laid_for = self.width()
        self.grid, self._argb = None, None  # a new layout draws on a new picture
        if out is None or out.kind == "flatten":
            body = 0
        elif out.kind == OUTPUT:
            body = BAR_HEIGHT + self._heading
        else:
            if out.maps:
                filters = out.kind == FILTERS
                self.grid = map_layout(out.shape, width, MAP_ROWS,
                                       FILTER_TILE if filters else TILE,
                                       6 if filters else GAP)  # fmt: skip
            else:
                self.grid = strip_layout(out.shape[0], width, max_rows=STRIP_ROWS)
            body = self.grid.size[0]
        self.setFixedHeight(self._heading + body + (6 if body else 0))

    def _draw(self) -> None:
        """The picture and heading for the current output (at paint time: only when seen)."""
        self._stale = False
        self._text = self.heading()
        if self.grid is None or self.output is None:
            self._image, self._argb = QImage(), None
            return
        background = self.palette().window().color().getRgb()[:3]
        self._argb = render(self.output.array, self.grid, background, self._argb)  # the data
        h, w = self._argb.shape
        self._image = QImage(self._argb.data, w, h, 4 * w, QImage.Format.Format_RGB32)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._stale:
            self._draw()
        painter = QPainter(self)
        painter.setPen(self.palette().windowText().color())
        text = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(
            QRectF(0, 0, self.width(), self._heading),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            text,
        )
        if not self._image.isNull():
            painter.drawImage(0, self._heading, self._image)
        elif self.output is not None and self.output.kind == OUTPUT:
            self._paint_probabilities(painter)

    def _bar_width(self) -> float:
        return min(48.0, self.width() / 10)

    def _paint_probabilities(self, painter: QPainter) -> None:
        probs, w = self.output.array, self._bar_width()
        best, top = int(probs.argmax()), self._heading
        for d, p in enumerate(probs):
            height = max(1.0, float(p) * BAR_HEIGHT)
            painter.fillRect(
                QRectF(d * w + 4, top + BAR_HEIGHT - height, w - 8, height),
                WINNER if d == best else OTHER,
            )
            painter.drawText(
                QRectF(d * w, top + BAR_HEIGHT, w, self._heading),
                Qt.AlignmentFlag.AlignCenter,
                str(d),
            )

    # --- hover and click ----------------------------------------------------------------------
    def _hit(self, pos: QPoint) -> tuple[int, int, int] | None:
        out = self.output
        if out is None:
            return None
        x, y = pos.x(), pos.y() - self._heading
        if out.kind == OUTPUT:
            d = int(x // self._bar_width())
            return (d, 0, 0) if 0 <= d < 10 and 0 <= y < BAR_HEIGHT + self._heading else None
        return None if self.grid is None or y < 0 else self.grid.at(x, y)

    def tip_at(self, pos: QPoint) -> str:
        """What the tooltip says over `pos`: the layer, the index and the value there."""
        hit, out = self._hit(pos), self.output
        if hit is None or out is None:
            return ""
        index, row, col = hit
        if out.kind == OUTPUT:
            return f"{out.name}\ndigit {index}: {out.array[index]:.2%}"
        if not out.maps:
            return f"{out.name}\nunit {index} of {out.shape[0]}: {out.array[index]:.3f}"
        what = "filter" if out.kind == FILTERS else "map"
        tile = out.array[:, :, index]
        text = (
            f"{out.name}\n{what} {index} of {out.shape[2]}, at ({row}, {col}): "
            f"{tile[row, col]:.3f}\n{what} max {tile.max():.3f}, mean {tile.mean():.3f}"
        )
        return text + ("\nclick: show it over the input" if what == "map" else "")

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            tip = self.tip_at(event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def mousePressEvent(self, event) -> None:
        hit = self._hit(event.position().toPoint())
        out = self.output
        if hit is not None and out is not None and out.maps and out.kind != FILTERS:
            self.mapClicked.emit(hit[0])
        super().mousePressEvent(event)


class InputOverlay(QWidget):
    """The 28x28 input, large, with one feature map over the pixels it looks at (its cells
    placed by the layer's footprint, digitpad.layer_outputs)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("insideInput")
        self.setFixedSize(224, 224)  # 8 px an input pixel
        self._input, self._map = QImage(), QImage()
        self._where: QRectF | None = None

    def set_input(
        self, image: np.ndarray | None, output: LayerOutput | None = None, index: int = 0
    ) -> None:
        """The input alone, or with map `index` of `output` over it."""
        self._input = QImage() if image is None else _gray(image)
        self._map, self._where = QImage(), None
        if image is not None and output is not None and output.footprint is not None:
            values, scale = output.array[:, :, index], scale_of(output.array)
            alpha = np.rint(60 + np.sqrt(np.clip(np.abs(values) / scale, 0, 1)) * 195)
            argb = (colours(values, scale) & 0xFFFFFF) | (alpha.astype(np.uint32) << 24)
            h, w = values.shape
            self._map = QImage(argb.data, w, h, 4 * w, QImage.Format.Format_ARGB32).copy()
            start, jump = output.footprint
            self._where = QRectF(start - jump / 2, start - jump / 2, w * jump, h * jump)
        self.update()

    def showing_map(self) -> bool:
        return not self._map.isNull()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0))
        if self._input.isNull():
            painter.setPen(QColor(140, 140, 140))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "28 × 28")
            return
        cell = self.width() / 28
        painter.drawImage(QRectF(self.rect()), self._input)
        if self._where is not None:
            w = self._where
            painter.drawImage(
                QRectF(w.x() * cell, w.y() * cell, w.width() * cell, w.height() * cell), self._map
            )


def _gray(image: np.ndarray) -> QImage:
    """The input dimmed a little, so a map laid over it stands out."""
    gray = np.ascontiguousarray((np.clip(image, 0, 1) * 170).astype(np.uint8))
    return QImage(gray.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
