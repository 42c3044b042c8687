"""Model > Manage models…: every bundled and user model with its card; rename, delete and
export. The bundled models live in the app's own folder and can be neither renamed nor
deleted. The model in use is marked; deleting it says first which model takes over."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from digitpad import backends, models
from digitpad import session as events
from digitpad.network.presets import short_name
from digitpad.session import ModelSession
from digitpad.ui.exporting import Exporter
from digitpad.ui.rename_dialog import ask_name

SCREEN_SHARE = 0.9  # the most of the screen the dialog takes when it sizes itself
# Narrow enough for an 800-pixel screen: the training set's description and the file are in
# each row's tooltip, not columns of their own.
COLUMNS = ("Name", "Backend", "Network", "Accuracy", "Training data", "Created")


def rename(path: Path, name: str) -> None:
    """Give a model a display name (stored in its card; the file keeps its name)."""
    if models.is_bundled(path):
        raise models.ModelFileError(f"{path.name} is bundled with the app and cannot be renamed")
    card = models.read_card(path)
    card.name = name.strip()
    models.save_card(path, card)


def fallback_model() -> Path:
    """What reads the drawing once the model in use is deleted."""
    return models.default_model("torch")


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
        say: Callable[[str], None],
        exporter: Exporter,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("modelManager")
        self.setWindowTitle("Models")
        self.session, self.choose, self.say = session, choose, say
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
        session.subscribe(self._on_session)
        self.reload()

    def _on_session(self, event: str) -> None:
        if event in (events.ACTIVE, events.FAILED):
            self._mark_active()

    def reload(self) -> None:
        """Fill the table again, keeping the selected model selected."""
        kept = chosen[0] if (chosen := self.selected()) else None
        self.entries = models.list_models()
        self.table.setUpdatesEnabled(False)
        self.table.clearContents()
        self.table.setRowCount(len(self.entries))
        for row, (path, card) in enumerate(self.entries):
            acc = f"{card.test_accuracy:.2%}" if card.test_accuracy is not None else "–"
            values = (
                card.title,
                backends.label(card.backend),
                _network(card),
                acc,
                f"{card.train_size:,} images",
                card.created[:16].replace("T", " "),
            )
            tip = f"{card.summary()}\nTraining data: {card.dataset}\nFile: {path}"
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                self.table.setItem(row, col, item)
        self._mark_active()
        self.table.resizeColumnsToContents()
        self.table.setUpdatesEnabled(True)
        paths = [path for path, _ in self.entries]
        if kept in paths:
            self.table.selectRow(paths.index(kept))
        self._update_buttons()
        self._fit()

    def _mark_active(self) -> None:
        """The model in use in bold and said in words; the bundled ones said too."""
        for row, (path, card) in enumerate(self.entries):
            active = path == self.session.active
            notes = [n for n, on in (("bundled", card.bundled), ("in use", active)) if on]
            name = self.table.item(row, 0)
            name.setText(card.title + (f" ({', '.join(notes)})" if notes else ""))
            for col in range(self.table.columnCount()):
                item = self.table.item(row, col)
                font = item.font()
                font.setBold(active)
                item.setFont(font)

    def _fit(self) -> None:
        """Grow to show every column and row without scrolling, up to most of the screen."""
        table = self.table
        width = sum(table.columnWidth(c) for c in range(table.columnCount()))
        height = table.horizontalHeader().height() + sum(
            table.rowHeight(r) for r in range(table.rowCount())
        )
        frame = 2 * table.frameWidth()
        margins = self.layout().contentsMargins()
        below = self.sizeHint().height() - table.sizeHint().height()  # status and buttons
        wanted = QSize(width + frame + margins.left() + margins.right(), height + frame + below)
        screen = self.screen().availableGeometry().size() * SCREEN_SHARE
        size = wanted.expandedTo(self.sizeHint()).boundedTo(screen)
        if self.isVisible():  # refilled while open: grow if need be, never shrink
            size = size.expandedTo(self.size())
        self.resize(size)

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
        name = ask_name(self, chosen[1].title)
        if name:
            try:
                rename(chosen[0], name)
            except (OSError, models.ModelFileError) as err:
                self.status.setText(f"Could not rename: {err}")
                return
            self._changed(f"Renamed to {name}")

    def _delete(self) -> None:
        if not (chosen := self.selected()):
            return
        path, card = chosen
        in_use = path == self.session.active
        question = f"Delete the model “{card.title}”?"
        if in_use:
            question += f"\n\nIt is in use: {self._fallback_title()} will read the drawing instead."
        box = QMessageBox(
            QMessageBox.Icon.Warning if in_use else QMessageBox.Icon.Question,
            "Delete model",
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setInformativeText(f"The file {path.name} is removed.")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        answer = box.exec()
        box.deleteLater()
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            delete(path)
        except (OSError, models.ModelFileError) as err:
            self.status.setText(str(err))
            return
        self.session.forget(path)
        done = f"Deleted {card.title}"
        if in_use:
            self.choose(fallback_model())
            done += f"; now using {self._fallback_title()}"
        self.say(done)
        self._changed(done)

    def _fallback_title(self) -> str:
        card = self.session.card(fallback_model())
        return card.title if card else fallback_model().name

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
