"""Model > Training runs: every kept run in a sortable table; the runs you tick drawn together
(ui/runs_chart.py), so the same network in Keras and in PyTorch, or with and without dropout,
can be compared. The ticked runs export as a PNG of the chart and as a CSV of their epochs; a
run can be deleted."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitpad import runs
from digitpad.backends import label
from digitpad.ui.image_io import choose_save_path
from digitpad.ui.runs_chart import RunsChart
from digitpad.ui.training_progress import ERROR_STYLE, duration

COLUMNS = ("Started", "Backend", "Network", "Status", "Epochs", "Test accuracy", "Time")
ID = Qt.ItemDataRole.UserRole
KEY = Qt.ItemDataRole.UserRole + 1


class _Cell(QTableWidgetItem):
    """A cell that sorts by its key (a number or a date), not by the text shown."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(KEY), other.data(KEY)
        if mine is None or theirs is None:
            return super().__lt__(other)
        return mine < theirs


def status_text(run: runs.Run) -> str:
    planned = run.config.get("epochs")
    if run.status == runs.CANCELLED:
        return f"cancelled at {len(run.epochs)}/{planned}" if planned else "cancelled"
    return run.status


def details(run: runs.Run) -> str:
    """The run in a few lines: its settings, where it ran, what came of it."""
    c = run.config
    layers = c.get("layers", "")
    lines = [
        f"{run.id}: {label(run.backend)} {run.network_name}"
        + (f" ({layers})" if layers and layers != run.network_name else ""),
        f"{c.get('epochs')} epochs, batch {c.get('batch_size')}, {c.get('optimizer')} "
        f"lr {c.get('lr')}, augment {'on' if c.get('augment') else 'off'}, seed "
        f"{c.get('seed')}; on {run.device_label or run.device}",
        f"trained on {run.dataset}: {run.images:,} images, a share of "
        f"{c.get('val_split')} held out for validation",
    ]
    if run.model:
        gone = "" if Path(run.model).exists() else " (deleted since)"
        lines.append(f"model: {run.model}{gone}")
    if run.reason:
        lines.append(f"{run.status}: {run.reason}")
    return "\n".join(lines)


class RunsView(QDialog):
    def __init__(self, ended: SignalInstance | None = None, parent: QWidget | None = None) -> None:
        """`ended` (the training controller's) lists a run as soon as it is kept."""
        super().__init__(parent)
        self.setObjectName("runsView")
        self.setWindowTitle("Training runs")
        self.found: list[runs.Run] = []
        self.skipped: list[tuple[Path, str]] = []
        self._ticked: set[str] | None = None  # None until the first list: the newest is ticked
        self.note = QLabel(objectName="runsNote", wordWrap=True)
        self.table = QTableWidget(0, len(COLUMNS), objectName="runsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)  # newest first
        self.table.itemChanged.connect(self._on_tick)
        self.table.itemSelectionChanged.connect(self._show_details)
        self.details = QLabel(objectName="runDetails", wordWrap=True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.charts = RunsChart()

        self.pngButton = QPushButton("Export chart as PNG…", objectName="exportRunsPng")
        self.pngButton.clicked.connect(lambda: self.export_png())
        self.csvButton = QPushButton("Export CSV…", objectName="exportRunsCsv")
        self.csvButton.clicked.connect(lambda: self.export_csv())
        self.deleteButton = QPushButton("Delete run…", objectName="deleteRun")
        self.deleteButton.clicked.connect(lambda: self.delete_selected())
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for button in (self.pngButton, self.csvButton, self.deleteButton):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        top = QWidget()
        upper = QVBoxLayout(top)
        upper.setContentsMargins(0, 0, 0, 0)
        upper.addWidget(self.note)
        upper.addWidget(self.table, 1)
        upper.addWidget(self.details)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.charts)
        split.setStretchFactor(1, 1)
        split.setSizes([200, 520])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.resize(1000, 760)
        if ended is not None:
            ended.connect(self.reload)

    # --- the list -------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the runs folder again (after a training ended, or on opening)."""
        self.skipped = []
        self.found = runs.list_runs(self.skipped)
        if self._ticked is None:
            self._ticked = {self.found[0].id} if self.found else set()
        self._ticked &= {r.id for r in self.found}
        text = (
            f"{len(self.found)} training run(s), newest first; tick runs to draw their "
            "curves together."
            if self.found
            else "No training runs yet: each run of Model > Retrain (or `digitpad train`) is "
            "kept here, finished, cancelled or failed."
        )
        self.note.setStyleSheet(ERROR_STYLE if self.skipped else "")
        self.note.setToolTip("\n".join(why for _, why in self.skipped))
        if self.skipped:
            names = ", ".join(p.name for p, _ in self.skipped[:3])
            more = "…" if len(self.skipped) > 3 else ""
            text += (
                f" {len(self.skipped)} damaged run file(s) skipped (hover here for why): "
                f"{names}{more}"
            )
        self.note.setText(text)
        self.table.blockSignals(True)
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(self.found))
        for row, run in enumerate(self.found):
            accuracy = run.test_accuracy
            cells = [
                (run.started[:16].replace("T", " "), run.started),
                (label(run.backend), run.backend),
                (run.network_name, run.network_name),
                (status_text(run), run.status),
                (str(len(run.epochs)), len(run.epochs)),
                (
                    f"{accuracy:.2%}" if accuracy is not None else "–",
                    -1.0 if accuracy is None else accuracy,
                ),
                (duration(run.seconds), run.seconds),
            ]
            for col, (text, key) in enumerate(cells):
                item = _Cell(text)
                item.setData(KEY, key)
                item.setData(ID, run.id)
                item.setToolTip(details(run))
                if col >= 4:  # the numbers
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if col == 0:
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    ticked = run.id in self._ticked
                    item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
                self.table.setItem(row, col, item)
        self.table.setSortingEnabled(True)
        self.table.blockSignals(False)
        self._draw()
        self._show_details()

    def ticked(self) -> list[runs.Run]:
        return [r for r in self.found if r.id in (self._ticked or set())]

    def tick(self, run_id: str, on: bool = True) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item.data(ID) == run_id:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _on_tick(self, item: QTableWidgetItem) -> None:
        if item.column() != 0 or self._ticked is None:
            return
        if item.checkState() == Qt.CheckState.Checked:
            self._ticked.add(item.data(ID))
        else:
            self._ticked.discard(item.data(ID))
        self._draw()

    def selected(self) -> list[runs.Run]:
        ids = {self.table.item(i.row(), 0).data(ID) for i in self.table.selectedIndexes()}
        return [r for r in self.found if r.id in ids]

    def _show_details(self) -> None:
        chosen = self.selected()
        self.details.setText(
            details(chosen[0])
            if chosen
            else "Select a run to see its settings; hover a row for the same."
        )
        self.deleteButton.setEnabled(bool(chosen))

    # --- the charts -----------------------------------------------------------------------
    def _draw(self) -> None:
        shown = self.ticked()
        self.charts.draw(shown)
        for button in (self.pngButton, self.csvButton):
            button.setEnabled(bool(shown))

    # --- exports and deleting -------------------------------------------------------------
    def export_png(self, path: Path | None = None) -> Path | None:
        """The two charts of the ticked runs as one picture (asks where, without `path`)."""
        path = path or choose_save_path(self, "Export chart", "training-runs.png")
        if path is None:
            return None
        if not self.charts.save_png(path):
            self.note.setText(f"Could not write {path}")
            return None
        self.note.setText(f"Saved the chart of {len(self.ticked())} run(s) as {path}")
        return Path(path)

    def export_csv(self, path: Path | None = None) -> Path | None:
        """The ticked runs' epochs, one row each (asks where, without `path`)."""
        path = path or choose_save_path(self, "Export runs", "training-runs.csv", "CSV (*.csv)")
        if path is None:
            return None
        try:
            runs.write_csv(self.ticked(), path)
        except OSError as err:
            self.note.setText(f"Could not write {path}: {err.strerror or err}")
            return None
        rows = sum(len(r.epochs) for r in self.ticked())
        self.note.setText(f"Wrote {rows} epochs of {len(self.ticked())} run(s) to {path}")
        return Path(path)

    def delete_selected(self, confirm: bool = True) -> None:
        """Forget the selected runs (their model files stay)."""
        chosen = self.selected()
        if not chosen:
            return
        question = (
            f"Delete the run {chosen[0].title}?"
            if len(chosen) == 1
            else f"Delete {len(chosen)} runs?"
        ) + " Saved models stay."
        if (
            confirm
            and QMessageBox.question(self, "Delete run", question) != QMessageBox.StandardButton.Yes
        ):
            return
        for run in chosen:
            runs.delete(run)
        self.reload()
