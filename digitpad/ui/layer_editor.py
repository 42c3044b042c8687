"""The network of a training run, as a person designs it: a preset to start from and the list of
its layers to add to, remove from, reorder and edit, with every layer's output shape, weights and
multiply-adds and the totals, updated as they edit. An invalid network says why in place and
reports itself invalid (the panel then disables Start).

A layer is edited in the short text form (`dense:256`, `dropout:0.2`: digitpad/network/spec.py),
in its cell; the rows digitpad adds (a flatten before a dense layer, the 10-way output) are shown
greyed and cannot be edited.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
)

from digitpad import network
from digitpad.network.layers import Layer
from digitpad.network.spec import format_layers, parse

COLUMNS = ("Layer", "Output shape", "Weights", "Multiply-adds")
NEW_LAYERS = {  # what "Add layer" offers, as a person would first write each
    "Dense (fully connected)": "dense:128",
    "Dropout": "dropout:0.2",
    "Convolution": "conv:32:3",
    "Max pooling": "maxpool:2",
    "Average pooling": "avgpool:2",
    "Batch normalisation": "batchnorm",
    "Activation (ReLU)": "relu",
    "Flatten": "flatten",
    "Global average pooling": "gap",
}
IMPLIED = QColor("#777")
ERROR_STYLE = "color: #a11;"


class LayerEditor(QGroupBox):
    changed = Signal()  # the layers or their validity changed

    def __init__(self) -> None:
        super().__init__("Network")
        self._tokens: list[str] = []  # the description, one short-form token a layer
        self._rows: list[int | None] = []  # table row -> index in _tokens (None: implied)
        self.error = ""
        self.preset = QComboBox(objectName="trainArch")
        for preset in network.PRESETS.values():
            self.preset.addItem(preset.label, preset.name)
        self.preset.addItem("Custom (your own layers)", network.CUSTOM)
        self.preset.currentIndexChanged.connect(self._on_preset)
        self.table = QTableWidget(0, len(COLUMNS), objectName="layerTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._on_edit)
        self.table.setToolTip("Double-click a layer to change it, e.g. dense:256 or dropout:0.3")
        self.addButton = QToolButton(objectName="addLayer", text="Add layer")
        self.addButton.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.addButton)
        for label, token in NEW_LAYERS.items():
            action = QAction(label, menu)
            action.triggered.connect(lambda _=False, t=token: self.insert(t))
            menu.addAction(action)
        self.addButton.setMenu(menu)
        self.removeButton = QPushButton("Remove", objectName="removeLayer")
        self.removeButton.clicked.connect(self.remove)
        self.upButton = QPushButton("Up", objectName="layerUp")
        self.upButton.clicked.connect(lambda: self.move(-1))
        self.downButton = QPushButton("Down", objectName="layerDown")
        self.downButton.clicked.connect(lambda: self.move(1))
        self.totals = QLabel(objectName="networkTotals")
        self.problem = QLabel(objectName="networkProblem", wordWrap=True)
        self.problem.setStyleSheet(ERROR_STYLE)

        buttons = QHBoxLayout()
        for widget in (self.addButton, self.removeButton, self.upButton, self.downButton):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preset)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.totals)
        layout.addWidget(self.problem)

    # --- what the panel asks -----------------------------------------------------------------
    def layers(self) -> tuple[Layer, ...]:
        """The network as it stands; DescriptionError if it cannot be built."""
        layers = tuple(parse(",".join(self._tokens))) if self._tokens else ()
        network.plan(layers)
        return layers

    def valid(self) -> bool:
        return not self.error

    def set_layers(self, layers: tuple[Layer, ...] | list[Layer]) -> None:
        self._tokens = format_layers(layers).split(",") if layers else []
        self._refresh()

    def set_spec(self, text: str) -> None:
        """A description in the short form (a saved setting); a bad one falls back to the
        default network rather than leaving the panel unusable."""
        try:
            self.set_layers(parse(text))
        except network.DescriptionError:
            self.set_layers(network.preset(network.DEFAULT).layers)

    def spec(self) -> str:
        return ",".join(self._tokens)

    # --- editing -------------------------------------------------------------------------------
    def insert(self, token: str) -> None:
        """A new layer after the selected one (at the end when none is)."""
        at = self._selected()
        at = len(self._tokens) if at is None else at + 1
        self._tokens.insert(at, token)
        self._refresh(select=at)

    def remove(self) -> None:
        at = self._selected()
        if at is not None:
            del self._tokens[at]
            self._refresh(select=min(at, len(self._tokens) - 1))

    def move(self, by: int) -> None:
        at = self._selected()
        if at is None or not 0 <= at + by < len(self._tokens):
            return
        self._tokens[at], self._tokens[at + by] = self._tokens[at + by], self._tokens[at]
        self._refresh(select=at + by)

    def edit(self, index: int, token: str) -> None:
        """Change layer `index` (0-based, in the description) to `token`, e.g. "dense:256"."""
        self._tokens[index] = token.strip()
        self._refresh(select=index)

    def _on_edit(self, item: QTableWidgetItem) -> None:
        index = self._rows[item.row()] if item.row() < len(self._rows) else None
        if item.column() == 0 and index is not None and item.text() != self._tokens[index]:
            # after the cell's editor has finished committing: rebuilding the rows under it
            # would pull the item away from its editor
            QTimer.singleShot(0, lambda: self.edit(index, item.text()))

    def _on_preset(self) -> None:
        name = self.preset.currentData()
        if name != network.CUSTOM:
            self.set_layers(network.preset(name).layers)

    def _selected(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self._rows[rows[0].row()] if rows and rows[0].row() < len(self._rows) else None

    # --- showing -------------------------------------------------------------------------------
    def _refresh(self, select: int | None = None) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self._rows = []
        try:
            steps = (
                network.plan(tuple(parse(",".join(self._tokens))))
                if self._tokens
                else network.plan(())
            )
            self.error = ""
        except network.DescriptionError as err:
            steps, self.error = None, str(err)
        if steps is None:
            for index, token in enumerate(self._tokens):
                self._add_row(token, ("", "", ""), index, implied=False)
        else:
            written = iter(range(len(self._tokens)))
            for step in steps:
                index = None if step.implied else next(written)
                text = self._tokens[index] if index is not None else step.name
                shape = "x".join(str(n) for n in step.output_shape)
                self._add_row(
                    text,
                    (shape, f"{step.params:,}", f"{step.flops:,}"),
                    index,
                    implied=step.implied,
                )
        self.table.blockSignals(False)
        if select is not None and select >= 0:
            row = self._rows.index(select) if select in self._rows else None
            if row is not None:
                self.table.selectRow(row)
        self._show_totals(steps)
        self._mark_preset()
        self.changed.emit()

    def _add_row(
        self, text: str, numbers: tuple[str, str, str], index: int | None, implied: bool
    ) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._rows.append(index)
        cells = [QTableWidgetItem(text), *(QTableWidgetItem(n) for n in numbers)]
        for column, cell in enumerate(cells):
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if column == 0 and not implied:
                flags |= Qt.ItemFlag.ItemIsEditable
            cell.setFlags(flags)
            if column:
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if implied:
                cell.setForeground(QBrush(IMPLIED))
                font = QFont(cell.font())
                font.setItalic(True)
                cell.setFont(font)
                cell.setToolTip(
                    "Added by digitpad: a dense layer takes a flat input, and every "
                    "network ends in 10 outputs, one a digit"
                )
            self.table.setItem(row, column, cell)

    def _show_totals(self, steps) -> None:
        if steps is None:
            self.totals.setText("")
            self.problem.setText(f"This network cannot be built: {self.error}")
            return
        params, flops = network.totals(steps)
        self.totals.setText(f"{params:,} weights · {flops:,} multiply-adds per image")
        self.problem.setText("")

    def _mark_preset(self) -> None:
        try:
            name = network.name_of(self.layers())
        except network.DescriptionError:
            name = network.CUSTOM
        self.preset.blockSignals(True)  # marking is not choosing: the layers stay as they are
        self.preset.setCurrentIndex(self.preset.findData(name))
        self.preset.blockSignals(False)
