"""The 28x28 image the network actually sees, enlarged with each pixel visible."""

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
        self.setToolTip("The 28x28 image the network sees: your drawing cropped, scaled and "
                        "centred the way MNIST digits were")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._pixels: np.ndarray | None = None
        self._image = QImage()

    def set_image(self, pixels: np.ndarray | None) -> None:
        self._pixels = None if pixels is None else np.asarray(pixels, np.float32).copy()
        if self._pixels is not None:
            gray = np.ascontiguousarray((np.clip(self._pixels, 0, 1) * 255).astype(np.uint8))
            self._image = QImage(gray.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
        self.update()

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
        if cell >= 4:
            painter.setPen(QPen(QColor(60, 60, 60), 1))
            for i in range(1, 28):
                offset = i * cell
                painter.drawLine(area.left() + offset, area.top(), area.left() + offset,
                                 area.bottom())
                painter.drawLine(area.left(), area.top() + offset, area.right(),
                                 area.top() + offset)
        if self._pixels is None:
            painter.setPen(QColor(140, 140, 140))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "28 × 28")
