"""The drawing surface: smooth round-capped strokes into an off-screen image, an undo history
(a QUndoStack, which also keeps the Undo/Redo actions' state), an eraser, and a `changed`
signal coalesced to at most one per frame.

Every pointer position is kept (the app turns off Qt's merging of mouse moves), so a fast curve
stays a curve even when the CPU is busy; the stroke is drawn as quadratic curves through the
midpoints of its samples.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitpad.pen import DEFAULT_WIDTH

PAPER = QColor(255, 255, 255)
INK = QColor(0, 0, 0)
FRAME_MS = 16  # one frame at 60 Hz: the most often `changed` fires while drawing
UNDO_STEPS = 200  # the history keeps this many steps; older ones are dropped
HEAT_OPACITY = 1.0  # "Show why" tints the strokes; the drawing stays readable
PICTURE_MAX_PX = 1024  # an opened picture is kept at most this large (uint8): bounded memory


@dataclass
class Stroke:
    """Points and width are fractions of the canvas side, so a resize redraws the same digit."""

    width: float
    erase: bool
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Picture:
    """An opened image as ink (uint8, 255 = ink), shown fitted into the canvas."""

    ink: np.ndarray


class _Edit(QUndoCommand):
    """One undoable change of what is on the canvas: the items before and after."""

    def __init__(self, canvas: DrawingCanvas, text: str, after: list) -> None:
        super().__init__(text)
        self.canvas, self.before, self.after = canvas, list(canvas.items), after

    def redo(self) -> None:
        self.canvas._set_items(self.after)

    def undo(self) -> None:
        self.canvas._set_items(self.before)


class DrawingCanvas(QWidget):
    changed = Signal()  # the drawing changed (coalesced: at most once per frame)
    strokeFinished = Signal()  # the mouse button was released

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setAccessibleName("Drawing canvas")
        self.setMinimumSize(160, 160)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.pen_width = DEFAULT_WIDTH  # in screen pixels at the current size
        self.eraser = False  # the eraser tool is on (the right button always erases)
        self.hint = "Draw a digit"
        self.items: list[Stroke | Picture] = []  # what is on the canvas, bottom to top
        self.history = QUndoStack(self)
        self.history.setUndoLimit(UNDO_STEPS)
        self._current: Stroke | None = None
        self._image = QImage()
        self._last_emit = 0.0
        self._pending = QTimer(self, singleShot=True)
        self._pending.timeout.connect(self._emit_now)
        self._marks: list[tuple[tuple[float, float, float, float], str, bool]] = []
        self._heat: tuple[QImage, QRectF] | None = None

    # --- public -------------------------------------------------------------------------
    def clear(self) -> None:
        """Wipe the drawing; undo brings it back."""
        if self.is_blank():
            return
        self._current = None
        self.history.push(_Edit(self, "Clear", []))

    def undo(self) -> None:
        self.history.undo()

    def redo(self) -> None:
        self.history.redo()

    def is_blank(self) -> bool:
        return not self.items and self._current is None

    def set_marks(self, marks: list[tuple[tuple[float, float, float, float], str, bool]]) -> None:
        """Boxes to show over the drawing (number mode): (x, y, w, h) in pixels, a caption
        under the box, and whether to highlight it (the least certain digit)."""
        self._marks = marks
        self.update()

    def set_heat(self, heat: QImage | None, area: QRectF | None = None) -> None:
        """A faint "Show why" picture over the drawing, stretched over `area` (in the pixels
        of `ink()`); None removes it."""
        shown = (heat, area) if heat is not None and area is not None else None
        if shown is None and self._heat is None:
            return  # read every frame while drawing: no repaint for nothing
        self._heat = shown
        self.update()

    def showing_heat(self) -> bool:
        return self._heat is not None

    def stroke_points(self) -> list[np.ndarray]:
        """The drawn strokes as (K, 2) arrays of widget pixels (erasures are not included)."""
        side = self._side()
        return [np.asarray(s.points, np.float32) * np.float32(side) for s in self.strokes()]

    def strokes(self) -> list[Stroke]:
        """The drawn strokes (not erasures or pictures), for saving a sample."""
        return [s for s in self.items if isinstance(s, Stroke) and not s.erase]

    def show_picture(self, ink: np.ndarray) -> None:
        """Replace the drawing with an opened image, as one undoable step."""
        ink = np.clip(np.asarray(ink, np.float32), 0.0, 1.0)
        scale = PICTURE_MAX_PX / max(ink.shape)
        if scale < 1:  # the history must not hold a photo at full resolution
            step = int(np.ceil(1 / scale))
            ink = ink[::step, ::step]
        self.history.push(_Edit(self, "Open image", [Picture((ink * 255).astype(np.uint8))]))

    def ink(self) -> np.ndarray:
        """The drawing as ink (0 = paper, 1 = ink), one value per device pixel."""
        gray = self._image.convertToFormat(QImage.Format.Format_Grayscale8)
        h, w, stride = gray.height(), gray.width(), gray.bytesPerLine()
        if h == 0 or w == 0:
            return np.zeros((1, 1), np.float32)
        rows = np.frombuffer(gray.constBits(), np.uint8, count=h * stride).reshape(h, stride)
        return 1.0 - rows[:, :w].astype(np.float32) / 255.0

    def image(self) -> QImage:
        """A copy of the drawing (black on white) for saving."""
        return self._image.copy()

    # --- Qt -----------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(480, 480)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def resizeEvent(self, event) -> None:
        self._redraw()
        super().resizeEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        button = event.button()
        if button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return
        erase = self.eraser or button == Qt.MouseButton.RightButton
        width = (self.pen_width * (2.0 if erase else 1.0)) / self._side()
        self._current = Stroke(width, erase, [self._to_unit(event.position())])
        self._paint_tail(self._current)
        self._schedule()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._current is None or not event.buttons():
            return
        self._current.points.append(self._to_unit(event.position()))
        self._paint_tail(self._current)
        self._schedule()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._current is None:
            return
        stroke, self._current = self._current, None
        self.history.push(_Edit(self, "Erase" if stroke.erase else "Stroke", self.items + [stroke]))
        self.strokeFinished.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawImage(QRectF(0, 0, self.width(), self.height()), self._image)
        if self._heat is not None:
            self._paint_heat(painter, *self._heat)
        if self.is_blank() and self.hint:
            painter.setPen(QColor(150, 150, 150))
            font = painter.font()
            font.setPointSizeF(max(11.0, self.height() / 22))
            painter.setFont(font)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.hint)
        for (x, y, w, h), caption, highlight in self._marks:
            color = QColor(200, 40, 40) if highlight else QColor(33, 118, 220)
            painter.setPen(QPen(color, 2 if highlight else 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(x, y, w, h))
            painter.drawText(
                QRectF(x - 20, y + h + 2, w + 40, 18),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                caption,
            )
        painter.setPen(QPen(QColor(200, 200, 200), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))

    # --- internals ----------------------------------------------------------------------
    def _paint_heat(self, painter: QPainter, heat: QImage, area: QRectF) -> None:
        to_widget = self.width() / max(1, self._image.width())
        painter.save()
        painter.setOpacity(HEAT_OPACITY)
        # Lighten: the black strokes take the colour, the white paper stays white.
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Lighten)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(
            QRectF(
                area.x() * to_widget,
                area.y() * to_widget,
                area.width() * to_widget,
                area.height() * to_widget,
            ),
            heat,
        )
        painter.restore()

    def _set_items(self, items: list) -> None:
        """Called by the history: show these items, redrawn as whole smooth paths."""
        self.items = list(items)
        self._redraw()
        self._emit_now()

    def _side(self) -> float:
        return float(max(1, min(self.width(), self.height())))

    def _to_unit(self, pos: QPointF) -> tuple[float, float]:
        side = self._side()
        return (pos.x() / side, pos.y() / side)

    def _schedule(self) -> None:
        """Read the drawing soon, but at most once a frame and only after the input that is
        already waiting has been handled (a timer runs after pending events)."""
        self.update()
        if self._pending.isActive():
            return
        since = (time.perf_counter() - self._last_emit) * 1000
        self._pending.start(int(max(0.0, FRAME_MS - since)))

    def _emit_now(self) -> None:
        self._pending.stop()
        self._last_emit = time.perf_counter()
        self.update()
        self.changed.emit()

    def _redraw(self) -> None:
        """Re-render every item at the current size and pixel ratio (crisp on high-DPI)."""
        ratio = self.devicePixelRatioF()
        size = QSize(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))
        self._image = QImage(size, QImage.Format.Format_Grayscale8)
        self._image.setDevicePixelRatio(ratio)
        self._image.fill(PAPER)
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for item in self.items:
            if isinstance(item, Picture):
                self._paint_picture(painter, item)
            else:
                self._paint_stroke(painter, item, 0)
        if self._current is not None:
            self._paint_stroke(painter, self._current, 0)
        painter.end()
        self.update()

    def _paint_picture(self, painter: QPainter, picture: Picture) -> None:
        gray = np.ascontiguousarray(255 - picture.ink)
        h, w = gray.shape
        image = QImage(gray.data, w, h, w, QImage.Format.Format_Grayscale8)
        scale = self._side() / max(h, w)
        target = QRectF(
            (self.width() - w * scale) / 2, (self.height() - h * scale) / 2, w * scale, h * scale
        )
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, image)

    def _paint_tail(self, stroke: Stroke) -> None:
        """Draw only the newest piece of the stroke being drawn (cheap while moving)."""
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_stroke(painter, stroke, max(0, len(stroke.points) - 3), tail=True)
        painter.end()

    def _paint_stroke(
        self, painter: QPainter, stroke: Stroke, start: int, tail: bool = False
    ) -> None:
        side = self._side()
        pen = QPen(
            PAPER if stroke.erase else INK,
            max(1.0, stroke.width * side),
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
        painter.setPen(pen)
        pts = [QPointF(x * side, y * side) for x, y in stroke.points[start:]]
        if len(stroke.points) == 1:
            painter.drawPoint(pts[0])
            return
        # Smooth: quadratic curves through the midpoints, with the samples as control points.
        path = QPainterPath(pts[0] if start == 0 else (pts[0] + pts[1]) / 2)
        for a, b in zip(pts[1:-1], pts[2:], strict=False):
            path.quadTo(a, (a + b) / 2)
        if not tail or len(stroke.points) == 2:
            path.lineTo(pts[-1])  # while drawing, the last half-segment waits for the next point
        painter.drawPath(path)
