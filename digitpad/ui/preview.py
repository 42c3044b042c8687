"""The 28x28 image the network actually sees, enlarged with each pixel visible; with "Show why",
coloured by how much each pixel pushed the network towards its answer."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class PreviewImage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("previewImage")
        self.setAccessibleName("What the network sees (28 by 28)")
        self.setToolTip(
            "The 28x28 image the network sees: your drawing cropped, scaled and "
            "centred the way MNIST digits were"
        )
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._pixels: np.ndarray | None = None
        self._image = QImage()
        self._heat = QImage()  # the "why" overlay, empty when not shown

    def set_image(self, pixels: np.ndarray | None) -> None:
        self._heat = QImage()
        self._pixels = None if pixels is None else np.asarray(pixels, np.float32).copy()
        if self._pixels is not None:
            gray = np.ascontiguousarray((np.clip(self._pixels, 0, 1) * 255).astype(np.uint8))
            self._image = QImage(gray.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
        self.update()

    def set_heat(self, heat: np.ndarray | None) -> None:
        """Overlay (28, 28) contributions (see `heat_image`); None removes it."""
        self._heat = QImage() if heat is None else heat_image(heat)
        self.update()

    def showing_why(self) -> bool:
        return not self._heat.isNull()

    def pixels(self) -> np.ndarray | None:
        return None if self._pixels is None else self._pixels.copy()

    def sizeHint(self) -> QSize:
        return QSize(140, 140)

    def minimumSizeHint(self) -> QSize:
        return QSize(84, 84)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        side = min(self.width(), self.height())
        cell = side / 28
        area = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        painter.fillRect(area, QColor(0, 0, 0))
        if self._pixels is not None:
            painter.drawImage(area, self._image)  # nearest-neighbour: every pixel a square
            if not self._heat.isNull():
                painter.drawImage(area, self._heat)
        if cell >= 4:
            painter.setPen(QPen(QColor(60, 60, 60), 1))
            for i in range(1, 28):
                offset = i * cell
                painter.drawLine(
                    area.left() + offset, area.top(), area.left() + offset, area.bottom()
                )
                painter.drawLine(
                    area.left(), area.top() + offset, area.right(), area.top() + offset
                )
        if self._pixels is None:
            painter.setPen(QColor(140, 140, 140))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "28 × 28")


def heat_image(heat: np.ndarray) -> QImage:
    """(28, 28) contributions as a 28x28 picture: red towards the answer, blue away from it,
    the strongest fully coloured, the rest fading to transparent."""
    heat = np.asarray(heat, np.float32)
    scale = float(np.abs(heat).max()) or 1.0
    share = np.clip(heat / scale, -1.0, 1.0)
    rgba = np.zeros((28, 28, 4), np.uint8)
    rgba[..., 0] = np.where(share > 0, 255, 40)
    rgba[..., 1] = np.where(share > 0, 70, 120)
    rgba[..., 2] = np.where(share > 0, 40, 255)
    rgba[..., 3] = np.round(np.abs(share) * 220).astype(np.uint8)
    rgba = np.ascontiguousarray(rgba)
    return QImage(rgba.data, 28, 28, 28 * 4, QImage.Format.Format_RGBA8888).copy()
