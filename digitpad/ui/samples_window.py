"""Model > Your samples…: the digits the user taught, as a gallery per digit with counts; delete,
clear, export and import; and Personalise, which fine-tunes a copy of the active model on them in
the background (progress, cancel) and makes the result the active model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from digitpad import samples
from digitpad.errors import DatasetError
from digitpad.personalise import MIN_SAMPLES
from digitpad.session import ModelSession, plain_message
from digitpad.ui.personalising import Progress, TimeLeft, choose_base
from digitpad.ui.teach import Teacher
from digitpad.ui.workers import Worker, WorkerPool

THUMB = 56


def thumbnail(image: np.ndarray) -> QIcon:
    """A sample as the user drew it: dark ink on white, enlarged with hard pixels."""
    ink = np.ascontiguousarray(255 - image)
    picture = QImage(ink.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
    return QIcon(QPixmap.fromImage(picture.scaled(THUMB, THUMB)))


class SamplesWindow(QDialog):
    def __init__(
        self,
        session: ModelSession,
        pool: WorkerPool,
        teacher: Teacher,
        choose: Callable[[Path], None],
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("samplesWindow")
        self.setWindowTitle("Your samples")
        self.session, self.pool, self.choose = session, pool, choose
        self._worker: Worker | None = None
        self._base = Path()
        self.found = samples.load()
        self.summary = QLabel(objectName="samplesSummary", wordWrap=True)
        self.digit = QComboBox(objectName="samplesDigit")
        self.digit.currentIndexChanged.connect(self._fill)
        self.gallery = QListWidget(objectName="samplesGallery")
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(THUMB, THUMB))
        self.gallery.setResizeMode(QListView.ResizeMode.Adjust)
        self.gallery.setMovement(QListView.Movement.Static)
        self.gallery.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.gallery.setMinimumSize(420, 260)
        self.gallery.itemSelectionChanged.connect(self._update_buttons)
        self.deleteButton = QPushButton("Delete", objectName="deleteSamples")
        self.deleteButton.setShortcut("Delete")
        self.clearButton = QPushButton("Clear all…", objectName="clearSamples")
        self.exportButton = QPushButton("Export…", objectName="exportSamples")
        self.importButton = QPushButton("Import…", objectName="importSamples")
        self.deleteButton.clicked.connect(self.delete_selected)
        self.clearButton.clicked.connect(self.clear_all)
        self.exportButton.clicked.connect(self.choose_export)
        self.importButton.clicked.connect(self.choose_import)
        self.about = QLabel(objectName="personaliseAbout", wordWrap=True)
        self.personaliseButton = QPushButton("Personalise", objectName="personalise")
        self.personaliseButton.clicked.connect(self.personalise)
        self.cancelButton = QPushButton("Cancel", objectName="cancelPersonalise")
        self.cancelButton.clicked.connect(self.cancel)
        self.progress = QProgressBar(objectName="personaliseProgress")
        self.progress.setRange(0, 100)
        self._time_left = TimeLeft(self.progress)
        self.result = QLabel(objectName="personaliseResult", wordWrap=True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(QLabel("Show"))
        top.addWidget(self.digit)
        buttons = QHBoxLayout()
        for button in (self.deleteButton, self.clearButton):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.importButton, self.exportButton):
            buttons.addWidget(button)
        run = QHBoxLayout()
        run.addWidget(self.personaliseButton)
        run.addWidget(self.progress, 1)
        run.addWidget(self.cancelButton)
        run.addStretch(0)  # takes the room while the progress bar is hidden
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.gallery, 1)
        layout.addLayout(buttons)
        layout.addSpacing(8)
        layout.addWidget(self.about)
        layout.addLayout(run)
        layout.addWidget(self.result)
        teacher.taught.connect(self.reload)
        session.subscribe(lambda event: self._update_buttons())
        self.resize(560, 520)
        self.reload()

    # --- the gallery --------------------------------------------------------------------------
    def reload(self) -> None:
        self.found = samples.load()
        counts = self.found.counts()
        chosen = self.digit.currentData()
        self.digit.blockSignals(True)
        self.digit.clear()
        self.digit.addItem(f"All digits ({len(self.found)})", None)
        for d in range(10):
            self.digit.addItem(f"{d} ({counts[d]})", d)
        self.digit.setCurrentIndex(max(0, self.digit.findData(chosen)))
        self.digit.blockSignals(False)
        if len(self.found):
            per = ", ".join(f"{n} × {d}" for d, n in counts.items() if n)
            n = len(self.found)
            text = f"{n} sample{'s' if n != 1 else ''}: {per}."
        else:
            text = (
                "No samples yet. In the main window, draw a digit and press its key (0-9) or "
                "click its bar; Enter keeps a drawing that was read right."
            )
        if self.found.skipped:
            text += f" {len(self.found.skipped)} damaged file(s) skipped: " + "; ".join(
                self.found.skipped[:3]
            )
        self.summary.setText(text)
        self._fill()

    def _fill(self) -> None:
        self.gallery.clear()
        digit = self.digit.currentData()
        for i in np.argsort(self.found.labels, kind="stable"):  # by digit, oldest first
            image, label, path = self.found.images[i], self.found.labels[i], self.found.paths[i]
            if digit is not None and label != digit:
                continue
            item = QListWidgetItem(thumbnail(image), str(label))
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(f"A {label} ({path.name})")
            self.gallery.addItem(item)
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self._worker is not None
        self.deleteButton.setEnabled(bool(self.gallery.selectedItems()) and not busy)
        self.clearButton.setEnabled(len(self.found) > 0 and not busy)
        self.exportButton.setEnabled(len(self.found) > 0)
        self.importButton.setEnabled(not busy)
        base = self.session.predictor
        enough = len(self.found) >= MIN_SAMPLES
        self.personaliseButton.setEnabled(base is not None and enough and not busy)
        self.cancelButton.setEnabled(busy)
        self.progress.setVisible(busy)
        self.cancelButton.setVisible(busy)
        if base is None:
            self.about.setText("Personalise needs an active model.")
        else:
            need = (
                ""
                if enough
                else (f" It needs at least {MIN_SAMPLES} samples ({len(self.found)} so far).")
            )
            self.about.setText(
                f"Personalise fine-tunes a copy of {base.card.title} on your "
                f"samples (mixed with MNIST so it keeps reading others) and "
                f"makes it the active model; {base.card.title} stays as it is." + need
            )

    def selected_paths(self) -> list[Path]:
        return [Path(item.data(Qt.ItemDataRole.UserRole)) for item in self.gallery.selectedItems()]

    def delete_selected(self) -> None:
        for path in self.selected_paths():
            samples.delete(path)
        self.reload()

    def clear_all(self, confirm: bool = True) -> None:
        if (
            confirm
            and QMessageBox.question(
                self,
                "Clear all samples",
                f"Delete all {len(self.found)} samples? Models "
                "already personalised keep what they learned.",
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        samples.clear()
        self.reload()

    def choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export samples", "digitpad-samples.zip", "Samples (*.zip)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        try:
            n = samples.export(path)
        except (DatasetError, OSError) as err:
            self.result.setText(f"Could not export: {err}")
            return
        self.result.setText(f"Exported {n} samples to {path}")

    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import samples", "", "Samples (*.zip)")
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> None:
        try:
            added, skipped = samples.import_file(path)
        except (DatasetError, OSError) as err:
            self.result.setText(f"Could not import: {err}")
            return
        note = f"; {len(skipped)} skipped ({skipped[0]})" if skipped else ""
        self.result.setText(f"Imported {added} samples from {path.name}{note}")
        self.reload()

    # --- personalising --------------------------------------------------------------------------
    def personalise(self) -> None:
        from digitpad.personalise import personalise

        base = self.session.predictor
        if base is None or self._worker is not None:
            return
        path = choose_base(self, self.session, base)
        if path is None:
            return
        taught, device, card = self.found, base.device, self.session.card(path) or base.card
        self._base = path

        def work(worker: Worker):
            return personalise(path, taught, Progress(worker), device)

        self.result.setText(f"Personalising {card.title} on {len(taught)} samples…")
        self._time_left = TimeLeft(self.progress)
        self._worker = self.pool.start(work, "personalise", self._done, self._failed)
        self._worker.progress.connect(self._show_progress)  # a slot: dropped with the dialog
        self._update_buttons()

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.quit()
            self.result.setText("Cancelling…")

    def _done(self, done) -> None:
        self._worker = None
        held = (
            f"reads {done.samples_accuracy:.0%} of your samples it did not learn from"
            if done.samples_accuracy is not None
            else ""
        )
        self.result.setText(
            f"{done.card.title} is now active: {held}; MNIST test accuracy "
            f"{done.mnist_accuracy:.2%}."
        )
        self.session.refresh()
        self.choose(done.path)
        self._update_buttons()

    def _show_progress(self, share: float) -> None:
        self._time_left.show(share)

    def _failed(self, err: Exception) -> None:
        from trainers.callbacks import TrainingCancelled

        self._worker = None
        self.result.setText(
            "Personalising cancelled; nothing was saved."
            if isinstance(err, TrainingCancelled)
            else f"Could not personalise: {plain_message(self._base, err)}"
        )
        self._update_buttons()
