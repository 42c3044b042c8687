"""Model > Evaluate…: test accuracy, a confusion-matrix heat map, per-class accuracy and a gallery
of the test digits the model gets wrong. Computed off the GUI thread in large batches, with a
progress bar, and remembered per model file (and its checksum) for the rest of the session."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from digitpad.session import ModelSession
from digitpad.ui.workers import Worker, WorkerPool

GALLERY_MAX = 200


class ConfusionMatrix(QWidget):
    """Rows: the true digit; columns: what the model said. Cell colour: share of the row."""

    def __init__(self) -> None:
        super().__init__(objectName="confusionMatrix")
        self.setMinimumSize(320, 320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._matrix: np.ndarray | None = None

    def set_matrix(self, matrix: np.ndarray | None) -> None:
        self._matrix = None if matrix is None else np.asarray(matrix).copy()
        self.update()

    def matrix(self) -> np.ndarray | None:
        return None if self._matrix is None else self._matrix.copy()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        margin = 34
        side = min(self.width(), self.height()) - margin - 4
        cell = side / 10
        painter.setPen(self.palette().windowText().color())
        painter.drawText(QRectF(margin, 0, side, 14), Qt.AlignmentFlag.AlignCenter, "predicted")
        painter.save()
        painter.translate(2, margin + side / 2)
        painter.rotate(-90)
        painter.drawText(QRectF(-side / 2, 0, side, 14), Qt.AlignmentFlag.AlignCenter, "true")
        painter.restore()
        for d in range(10):
            painter.drawText(
                QRectF(margin + d * cell, 14, cell, 18), Qt.AlignmentFlag.AlignCenter, str(d)
            )
            painter.drawText(
                QRectF(14, margin + d * cell, 18, cell), Qt.AlignmentFlag.AlignCenter, str(d)
            )
        if self._matrix is None:
            return
        rows = np.maximum(self._matrix.sum(axis=1, keepdims=True), 1)
        share = self._matrix / rows
        font = painter.font()
        font.setPointSizeF(max(6.0, min(10.0, cell / 4)))
        painter.setFont(font)
        for t in range(10):
            for p in range(10):
                rect = QRectF(margin + p * cell, margin + t * cell, cell - 1, cell - 1)
                value = float(share[t, p])
                # Diagonal in blue, mistakes in red; stronger colour for a bigger share.
                strength = value if t == p else min(1.0, (value * 10) ** 0.5)
                base = (33, 118, 220) if t == p else (210, 50, 50)
                color = QColor(*[int(255 - (255 - c) * strength) for c in base])
                painter.fillRect(rect, color)
                if self._matrix[t, p]:
                    painter.setPen(QColor(255, 255, 255) if strength > 0.55 else QColor(30, 30, 30))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(self._matrix[t, p]))


def _digit_icon(pixels: np.ndarray) -> QIcon:
    gray = np.ascontiguousarray(255 - pixels.astype(np.uint8))
    image = QImage(gray.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
    return QIcon(QPixmap.fromImage(image.scaled(56, 56)))


class EvaluationDialog(QDialog):
    def __init__(self, session: ModelSession, pool: WorkerPool, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("evaluationDialog")
        self.setWindowTitle("Evaluate the model")
        self.session, self.pool = session, pool
        self.limit: int | None = None  # evaluate only the first N test images (tests)
        self.result = None
        self._cache: dict[tuple, tuple] = {}
        self._worker: Worker | None = None
        self.accuracy = QLabel("…", objectName="evalAccuracy")
        font = self.accuracy.font()
        font.setPointSize(13)
        font.setBold(True)
        self.accuracy.setFont(font)
        self.accuracy.setWordWrap(True)
        self.progress = QProgressBar(objectName="evalProgress")
        self.progress.setRange(0, 100)
        self.perClass = QLabel(objectName="perClassAccuracy")
        self.perClass.setTextFormat(Qt.TextFormat.RichText)
        self.confusion = ConfusionMatrix()
        self.gallery = QListWidget(objectName="mistakeGallery")
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(56, 56))
        self.gallery.setGridSize(QSize(78, 86))
        self.gallery.setResizeMode(QListView.ResizeMode.Adjust)
        self.gallery.setMovement(QListView.Movement.Static)
        self.gallery.setMinimumWidth(300)
        self.again = QPushButton("Evaluate again", objectName="evaluateAgain")
        self.again.clicked.connect(lambda: self.start(fresh=True))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)

        left = QVBoxLayout()
        left.addWidget(self.accuracy)
        left.addWidget(self.progress)
        left.addWidget(self.confusion, 1)
        left.addWidget(self.perClass)
        right = QVBoxLayout()
        self.galleryTitle = QLabel("Misclassified test digits (true → predicted)")
        self.galleryTitle.setWordWrap(True)
        right.addWidget(self.galleryTitle)
        right.addWidget(self.gallery, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.again)
        buttons.addStretch(1)
        buttons.addWidget(close)
        right.addLayout(buttons)
        body = QHBoxLayout(self)
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        self.resize(900, 600)

    def start(self, fresh: bool = False) -> None:
        """Evaluate the active model (or show its remembered result)."""
        predictor = self.session.predictor
        if predictor is None:
            self.accuracy.setText("No model is loaded yet.")
            return
        key = (str(predictor.path), predictor.card.sha256, self.limit)
        if not fresh and key in self._cache:
            self._show(self._cache[key])
            return
        if self._worker is not None and not self._worker.is_done():
            self._worker.quit()
        limit = self.limit
        self.result = None
        self.accuracy.setText(f"Evaluating {predictor.card.title} on the MNIST test set…")
        self.progress.setValue(0)
        self.progress.show()
        self.confusion.set_matrix(None)
        self.gallery.clear()

        def work(worker: Worker):
            from digitpad.data import load_mnist
            from digitpad.evaluation import evaluate

            data = load_mnist()
            images, labels = data.test_x[:limit], data.test_y[:limit]
            report = lambda done: worker.report(done) or not worker.abort_requested()  # noqa: E731
            return predictor, images, labels, evaluate(predictor, images, labels, 500, report)

        def done(outcome) -> None:
            self._cache[key] = outcome
            if self.session.predictor is predictor:
                self._show(outcome)

        self.again.setEnabled(False)  # one evaluation at a time; enabled when it ends
        worker = self.pool.start(work, "evaluation", done, self._failed)
        worker.progress.connect(self._show_progress)  # a slot: dropped with the dialog
        worker.finished.connect(self._ended)
        self._worker = worker

    def closeEvent(self, event) -> None:
        if self._worker is not None:
            self._worker.quit()
        super().closeEvent(event)

    def _ended(self) -> None:
        """Evaluate again comes back once the evaluation shown ends (one replaced by a newer
        one, after a switch of model, leaves the button to the newer)."""
        if self._worker is None or self._worker.is_done():
            self.again.setEnabled(True)

    def _show_progress(self, share: float) -> None:
        self.progress.setValue(int(share * 100))

    def _failed(self, err: Exception) -> None:
        from digitpad.evaluation import EvaluationStopped

        self.progress.hide()
        if not isinstance(err, EvaluationStopped):
            self.accuracy.setText(f"Evaluation failed: {err}")

    def _show(self, outcome) -> None:
        predictor, images, labels, result = outcome
        self.result = result
        self.progress.hide()
        self.accuracy.setText(
            f"{predictor.card.title}: {result.accuracy:.2%} correct on {result.n:,} test digits"
        )
        self.confusion.set_matrix(result.confusion)
        cells = "".join(
            f"<td align=center>&nbsp;<b>{d}</b><br>{'–' if a is None else f'{a:.1%}'}&nbsp;</td>"
            for d, a in enumerate(result.per_class)
        )
        self.perClass.setText(f"Per-class accuracy<table><tr>{cells}</tr></table>")
        shown = result.mistakes[:GALLERY_MAX]
        self.galleryTitle.setText(
            f"Misclassified test digits (true → predicted): {len(result.mistakes)}"
            + (f", first {GALLERY_MAX} shown" if len(result.mistakes) > GALLERY_MAX else "")
        )
        self.gallery.clear()
        for i in shown:
            item = QListWidgetItem(_digit_icon(images[i]), f"{labels[i]} → {result.predicted[i]}")
            item.setData(Qt.ItemDataRole.UserRole, int(i))
            self.gallery.addItem(item)
