"""How a training run is going: a progress bar with the time left, a message line, the loss
and accuracy charts and a row per epoch. It only shows what the TrainingController reports."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitpad.ui.charts import TrainingChart
from digitpad.ui.training_controller import Progress

COLUMNS = ("Epoch", "Loss", "Accuracy", "Val. loss", "Val. accuracy")
ERROR_STYLE = "color: #a11;"
GOOD_STYLE = "color: #1b6e20;"


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class ProgressView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.progress = QProgressBar(objectName="trainProgress")
        self.progress.setTextVisible(True)
        self.progress.setRange(0, 1000)
        self.progress.setFormat("Not started")
        self.progress.setValue(0)
        self.message = QLabel(objectName="trainMessage")
        self.message.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), objectName="epochTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setMinimumHeight(100)
        self.loss_chart = TrainingChart("Loss", "loss", ("batch", "validation"))
        self.acc_chart = TrainingChart(
            "Accuracy", "accuracy", ("training", "validation"), (0.0, 1.0)
        )
        charts = QHBoxLayout()
        charts.addWidget(self.loss_chart)
        charts.addWidget(self.acc_chart)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(charts, 3)
        layout.addWidget(self.table, 1)
        self._epochs = 1

    def reset(self, epochs: int) -> None:
        self._epochs = epochs
        self.table.setRowCount(0)
        self.loss_chart.reset(epochs)
        self.acc_chart.reset(epochs)
        self.progress.setValue(0)
        self.progress.setFormat("Starting…")
        self.say("")

    def say(self, text: str, style: str = "") -> None:
        self.message.setStyleSheet(style)
        self.message.setText(text)

    def show_progress(self, p: Progress) -> None:
        self.progress.setValue(int(p.done * 1000))
        left = f" · {duration(p.seconds_left)} left" if p.seconds_left is not None else ""
        self.progress.setFormat(
            f"Epoch {p.epoch + 1}/{self._epochs} · batch {p.step + 1}/{p.steps}{left}"
        )
        self.loss_chart.add(0, p.epoch + (p.step + 1) / p.steps, p.loss)

    def show_epoch(self, epoch: int, metrics: dict) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        values = [str(epoch + 1)] + [
            f"{metrics[k]:.4f}" if k in metrics else "–"
            for k in ("loss", "accuracy", "val_loss", "val_accuracy")
        ]
        for col, text in enumerate(values):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(row, col, item)
        self.table.scrollToBottom()
        self.acc_chart.add(0, epoch + 1, metrics["accuracy"])
        if "val_accuracy" in metrics:
            self.acc_chart.add(1, epoch + 1, metrics["val_accuracy"])
            self.loss_chart.add(1, epoch + 1, metrics["val_loss"])

    def end(self, label: str, done: bool = False) -> None:
        if done:
            self.progress.setValue(1000)
        self.progress.setFormat(label)
