"""Keeping the canvas at its shape (square for one digit, a wide strip in number mode) and
centred, whatever shape the window is."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QSizePolicy, QWidget


class SquareHolder(QWidget):
    """Gives its child the largest centred rectangle of width/height `aspect` that fits."""

    def __init__(self, child: QWidget, aspect: float = 1.0) -> None:
        super().__init__()
        self.child, self.aspect = child, aspect
        child.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(child.minimumSize())

    def set_aspect(self, aspect: float) -> None:
        self.aspect = aspect
        self._place()

    def sizeHint(self) -> QSize:
        return self.child.sizeHint()

    def resizeEvent(self, event) -> None:
        self._place()

    def _place(self) -> None:
        height = min(self.height(), int(self.width() / self.aspect))
        width = int(height * self.aspect)
        self.child.setGeometry(
            (self.width() - width) // 2, (self.height() - height) // 2, width, height
        )
