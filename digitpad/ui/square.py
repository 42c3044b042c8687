"""Keeping the canvas square and centred, whatever shape the window is."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QSizePolicy, QWidget


class SquareHolder(QWidget):
    """Keeps the canvas square and centred, whatever shape the window is."""

    def __init__(self, child: QWidget) -> None:
        super().__init__()
        self.child = child
        child.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(child.minimumSize())

    def sizeHint(self) -> QSize:
        return self.child.sizeHint()

    def resizeEvent(self, event) -> None:
        side = min(self.width(), self.height())
        self.child.setGeometry((self.width() - side) // 2, (self.height() - side) // 2, side, side)
