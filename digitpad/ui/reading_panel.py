"""The window's right side: which model reads, what it read, how sure it is, the ten
probabilities and the 28x28 image the network saw. It scrolls when the window is small, and
messages about the model (loading, a failed load) have a fixed one-line place, so nothing in the
panel moves or overlaps when they come and go."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from digitpad.ui.model_choices import SELECTOR_TIP, MiddleElidedComboBox
from digitpad.ui.preview import PreviewImage
from digitpad.ui.probabilities import ProbabilityBars

PANEL_WIDTH = 250
ERROR_STYLE = "color: #a11;"
QUIET_STYLE = "color: palette(placeholder-text);"


class ElidedLabel(QLabel):
    """One line of text, shortened with an ellipsis to fit; the whole text is the tooltip."""

    def __init__(self, name: str, widest: int = 400) -> None:
        super().__init__(objectName=name)
        self._full, self._widest = "", widest
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(QFontMetrics(self.font()).lineSpacing() + 4)

    def sizeHint(self) -> QSize:
        wanted = self.fontMetrics().horizontalAdvance(self._full) + 8
        return QSize(min(self._widest, wanted), self.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(30, self.height())

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._full = text
        self.setToolTip(text if text else "")
        self._elide()
        self.updateGeometry()

    def text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:
        self._elide()
        super().resizeEvent(event)

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideRight, max(20, self.width() - 2)
        )
        super().setText(shown)


class ReadingPanel(QScrollArea):
    def __init__(self) -> None:
        super().__init__(objectName="readingPanel")
        self.modelSelector = MiddleElidedComboBox("modelSelector")
        self.modelSelector.setToolTip(SELECTOR_TIP)
        self.modelSelector.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.modelSelector.setMinimumContentsLength(12)
        self.modelStatus = ElidedLabel("modelStatus")
        self.predictionLabel = QLabel("", objectName="predictionLabel")
        big = QFont(self.font())
        big.setPointSize(48)
        big.setBold(True)
        self.predictionLabel.setFont(big)
        self.predictionLabel.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.predictionLabel.setFixedHeight(QFontMetrics(big).height() + 4)
        self.predictionLabel.setAccessibleName("Predicted digit")
        self.confidenceLabel = ElidedLabel("confidenceLabel")
        self.confidenceLabel.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.readBy = ElidedLabel("readByLabel")
        self.readBy.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.readBy.setStyleSheet(QUIET_STYLE)
        self.probabilityBars = ProbabilityBars()
        self.probabilityBars.setMaximumHeight(10 * 26)
        self.previewImage = PreviewImage()
        self.previewImage.setMaximumHeight(148)  # 5 px a pixel: enough to see every one
        self.trainButton = QPushButton("Retrain…", objectName="trainButton")
        self.trainButton.setToolTip("Train a new model in the background (Ctrl+T)")

        layout = QVBoxLayout()
        layout.setSpacing(4)
        layout.addWidget(self.modelSelector)
        layout.addWidget(self.modelStatus)
        layout.addWidget(self.predictionLabel)
        layout.addWidget(self.confidenceLabel)
        layout.addWidget(self.readBy)
        layout.addSpacing(4)
        layout.addWidget(self.probabilityBars, 3)
        layout.addSpacing(4)
        caption = QLabel("What the network sees (28 × 28)")
        caption.setStyleSheet(QUIET_STYLE)
        layout.addWidget(caption)
        layout.addWidget(self.previewImage, 2)
        layout.addStretch(0)  # takes what is left once the bars and preview are full size
        layout.addWidget(self.trainButton)
        inner = QWidget()
        inner.setLayout(layout)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedWidth(PANEL_WIDTH + self.verticalScrollBar().sizeHint().width())

    def show_model_status(self, text: str, error: bool = False) -> None:
        self.modelStatus.setStyleSheet(ERROR_STYLE if error else QUIET_STYLE)
        self.modelStatus.setText(text)

    def show_reading(
        self,
        digit: np.ndarray | None,
        probs: np.ndarray | None,
        hint: str,
        read_by: str = "",
        number: str = "",
    ) -> None:
        """Show a prediction, or no digit with a hint ("Draw a digit", "Loading model…"). In
        number mode `number` is the whole number, shown instead of the single digit."""
        self.previewImage.set_image(digit)
        self.probabilityBars.set_probabilities(probs)
        if probs is None:
            self.predictionLabel.setText("")
            self.confidenceLabel.setText(hint)
            self.readBy.setText("")
            return
        best = int(probs.argmax())
        shown = number or str(best)
        font = self.predictionLabel.font()
        font.setPointSize(48 if len(shown) <= 4 else max(18, 48 * 4 // len(shown)))
        self.predictionLabel.setFont(font)
        self.predictionLabel.setText(shown)
        self.confidenceLabel.setText(hint)
        self.readBy.setText(f"read by {read_by}" if read_by else "")
