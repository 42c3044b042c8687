"""Model > Model summary: the active model's layers (output shape, weights, multiply-adds per
image, from its network description: the same numbers in both frameworks) and the framework's
own words for it (Keras `model.summary()`, the PyTorch module printout)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitpad import network
from digitpad.network import summary
from digitpad.session import ACTIVE, ModelSession

COLUMNS = ("Layer", "Output shape", "Weights", "Multiply-adds")


class ModelSummary(QDialog):
    def __init__(self, session: ModelSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelSummary")
        self.session = session
        self.heading = QLabel(objectName="summaryHeading", wordWrap=True)
        self.table = QTableWidget(0, len(COLUMNS), objectName="summaryTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.totals = QLabel(objectName="summaryTotals")
        self.framework = QPlainTextEdit(objectName="frameworkSummary", readOnly=True)
        self.framework.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.framework.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.totals)
        layout.addWidget(QLabel("In the framework's own words:"))
        layout.addWidget(self.framework, 2)
        layout.addWidget(close)
        self.resize(760, 720)
        session.subscribe(lambda event: event == ACTIVE and self.isVisible() and self.show_model())
        self.show_model()

    def show_model(self) -> None:
        """Fill the view from the model that reads the drawing now."""
        predictor = self.session.predictor
        self.table.setRowCount(0)
        if predictor is None:
            self.setWindowTitle("Model summary")
            self.heading.setText("No model is loaded yet.")
            self.totals.setText("")
            self.framework.setPlainText("")
            return
        card = predictor.card
        self.setWindowTitle(f"Model summary: {card.title}")
        self.framework.setPlainText(
            predictor.framework_summary() or "(this runtime describes no layers)"
        )
        if not card.network:
            self.heading.setText(
                f"{card.title} ({predictor.path.name}) is not a network digitpad "
                "describes (an ONNX file, or a Keras network built elsewhere): "
                "its layers cannot be listed."
            )
            self.totals.setText("")
            return
        table = summary.rows(network.from_json(card.network))
        self.heading.setText(
            f"<b>{card.title}</b> ({predictor.path.name}): the input is a 28x28 "
            "gray image; greyed rows are added by digitpad."
        )
        for row in table["layers"]:
            at = self.table.rowCount()
            self.table.insertRow(at)
            values = (
                row["layer"],
                "x".join(map(str, row["output_shape"])),
                f"{row['params']:,}",
                f"{row['flops']:,}",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if row["implied"]:
                    item.setForeground(Qt.GlobalColor.darkGray)
                self.table.setItem(at, column, item)
        self.totals.setText(
            f"{table['params']:,} weights · {table['flops']:,} multiply-adds per image"
        )
