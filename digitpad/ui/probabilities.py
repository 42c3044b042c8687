"""Ten horizontal bars, one per digit, the most likely one highlighted. Clicking a digit's row
says "this drawing is that digit" (teach mode)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR = QColor(150, 170, 200)
WINNER = QColor(33, 118, 220)
TRACK = QColor(232, 236, 242)


class ProbabilityBars(QWidget):
    digitClicked = Signal(int)  # the user clicked this digit's row

    def __init__(self, parent: QWidget | None = None, teaches: bool = True) -> None:
        """`teaches`: a click on a row teaches that digit (the window's bars; not the compare
        view's, which read the same drawing with other models)."""
        super().__init__(parent)
        self.setObjectName("probabilityBars")
        self._teaches = teaches
        self.setAccessibleName("Probability of each digit")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._probs: np.ndarray | None = None

    def set_probabilities(self, probs: np.ndarray | None) -> None:
        self._probs = None if probs is None else np.asarray(probs, np.float32).copy()
        self.setToolTip(
            ""
            if probs is None
            else "\n".join(f"{d}: {p:.1%}" for d, p in enumerate(self._probs))
            + (
                "\n\nWrong? Click the right digit (or press its key) to teach digitpad"
                if self._teaches
                else ""
            )
        )
        self.setCursor(
            Qt.CursorShape.ArrowCursor
            if probs is None or not self._teaches
            else Qt.CursorShape.PointingHandCursor
        )
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._probs is None or not self._teaches or event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        digit = int(event.position().y() // (self.height() / 10))
        if 0 <= digit <= 9:
            self.digitClicked.emit(digit)

    def probabilities(self) -> np.ndarray | None:
        return None if self._probs is None else self._probs.copy()

    def sizeHint(self) -> QSize:
        return QSize(240, 10 * 20)

    def minimumSizeHint(self) -> QSize:
        return QSize(140, 10 * 17)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bold = painter.font()
        bold.setBold(True)
        metrics = QFontMetricsF(bold)
        label_w = metrics.horizontalAdvance("0") + 8
        value_w = metrics.horizontalAdvance("100%") + 6
        row_h = self.height() / 10
        bar_h = max(4.0, row_h * 0.62)
        track_w = max(10.0, self.width() - label_w - value_w)
        winner = int(self._probs.argmax()) if self._probs is not None else -1
        text = self.palette().windowText().color()
        for digit in range(10):
            top = digit * row_h
            p = float(self._probs[digit]) if self._probs is not None else 0.0
            painter.setPen(WINNER if digit == winner else text)
            font = painter.font()
            font.setBold(digit == winner)
            painter.setFont(font)
            painter.drawText(
                QRectF(0, top, label_w - 4, row_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(digit),
            )
            bar = QRectF(label_w, top + (row_h - bar_h) / 2, track_w, bar_h)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(TRACK)
            painter.drawRoundedRect(bar, 3, 3)
            if p > 0:
                painter.setBrush(WINNER if digit == winner else BAR)
                painter.drawRoundedRect(
                    QRectF(bar.x(), bar.y(), max(2.0, track_w * p), bar_h), 3, 3
                )
            if self._probs is not None:
                painter.setPen(WINNER if digit == winner else text)
                painter.drawText(
                    QRectF(label_w + track_w + 4, top, value_w, row_h),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    f"{p:.0%}",
                )
