"""Model > Manage models…: every bundled and user model with its card; rename, delete and
export. The bundled models live in the app's own folder and can be neither renamed nor
deleted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from digitpad import backends, models
from digitpad.network.presets import short_name
from digitpad.session import ModelSession
from digitpad.ui.exporting import Exporter

COLUMNS = ("Name", "Backend", "Network", "Test accuracy", "Training data", "Created", "File")


def rename(path: Path, name: str) -> None:
    """Give a model a display name (stored in its card; the file keeps its name)."""
    if models.is_bundled(path):
        raise models.ModelFileError(f"{path.name} is bundled with the app and cannot be renamed")
    card = models.read_card(path)
    card.name = name.strip()
    models.save_card(path, card)


def delete(path: Path) -> None:
    if models.is_bundled(path):
        raise models.ModelFileError(f"{path.name} is bundled with the app and cannot be deleted")
    path.unlink()
    models.card_path(path).unlink(missing_ok=True)


class ModelManager(QDialog):
    def __init__(
        self,
        session: ModelSession,
        choose: Callable[[Path], None],
        deleted: Callable[[Path], None],
        exporter: Exporter,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("modelManager")
        self.setWindowTitle("Models")
        self.session, self.choose, self.deleted = session, choose, deleted
        self.exporter = exporter
        self.table = QTableWidget(0, len(COLUMNS), objectName="modelTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Sized once after each fill: "resize to contents" would re-measure every row on every
        # cell set (30 s for 300 models, measured).
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setResizeContentsPrecision(200)  # rows measured
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self.use_selected)
        self.status = QLabel()
        self.useButton = QPushButton("Use")
        self.renameButton = QPushButton("Rename…")
        self.deleteButton = QPushButton("Delete")
        self.exportButton = QPushButton("Export…")
        self.useButton.clicked.connect(self.use_selected)
        self.renameButton.clicked.connect(self._rename)
        self.deleteButton.clicked.connect(self._delete)
        self.exportButton.clicked.connect(self._export)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.useButton, self.renameButton, self.deleteButton, self.exportButton):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(900, 360)
        self.reload()

    def reload(self) -> None:
        self.entries = models.list_models()
        self.table.setUpdatesEnabled(False)
        self.table.clearContents()
        self.table.setRowCount(len(self.entries))
        for row, (path, card) in enumerate(self.entries):
            acc = f"{card.test_accuracy:.2%}" if card.test_accuracy is not None else "–"
            values = (
                card.title + (" (bundled)" if card.bundled else ""),
                backends.label(card.backend),
                _network(card),
                acc,
                f"{card.dataset} ({card.train_size:,})",
                card.created[:16].replace("T", " "),
                path.name,
            )
            for col, text in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.setUpdatesEnabled(True)
        self._update_buttons()

    def selected(self) -> tuple[Path, models.ModelCard] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        chosen = self.selected()
        for b in (self.useButton, self.exportButton):
            b.setEnabled(chosen is not None)
        for b in (self.renameButton, self.deleteButton):
            b.setEnabled(chosen is not None and not chosen[1].bundled)

    def use_selected(self) -> None:
        if chosen := self.selected():
            self.choose(chosen[0])

    def _rename(self) -> None:
        if not (chosen := self.selected()):
            return
        name, ok = QInputDialog.getText(self, "Rename model", "Name:", text=chosen[1].title)
        if ok and name.strip():
            try:
                rename(chosen[0], name)
            except (OSError, models.ModelFileError) as err:
                self.status.setText(f"Could not rename: {err}")
                return
            self._changed(f"Renamed to {name.strip()}")

    def _delete(self) -> None:
        if not (chosen := self.selected()):
            return
        answer = QMessageBox.question(self, "Delete model", f"Delete {chosen[0].name}?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            delete(chosen[0])
        except (OSError, models.ModelFileError) as err:
            self.status.setText(str(err))
            return
        self.deleted(chosen[0])
        self._changed(f"Deleted {chosen[0].name}")

    def _export(self) -> None:
        if chosen := self.selected():
            self.exporter.ask(self, chosen[0], self.status.setText)

    def _changed(self, what: str) -> None:
        self.session.refresh()
        self.reload()
        self.status.setText(what)


def _network(card: models.ModelCard) -> str:
    """The network in a few words: a preset's name, or the size of one of the user's own."""
    name = short_name(card.arch)
    return f"{name}, {card.params:,} weights" if card.params else name
