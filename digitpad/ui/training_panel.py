"""Model > Retrain…: the settings of a training run, its live progress and charts, and the
result. Training runs on a worker thread; the main window stays fully usable meanwhile."""

from __future__ import annotations

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitpad.ui import settings
from digitpad.ui.background import Background
from digitpad.ui.training import TrainingRun, TrainingWorker
from trainers.config import ARCHS, OPTIMIZERS, ConfigError, TrainConfig

COLUMNS = ("Epoch", "Loss", "Accuracy", "Val. loss", "Val. accuracy")
DATA_CHOICES = (
    ("bundled", "Bundled MNIST subset (10,000 images)"),
    ("folder", "Full MNIST from a folder…"),
    ("download", "Download full MNIST (needs internet)"),
)


def _chart(title: str, y_title: str, series: list[QLineSeries], y_range=None) -> QChartView:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    x_axis, y_axis = QValueAxis(), QValueAxis()
    x_axis.setTitleText("epoch")
    x_axis.setLabelFormat("%.0f")
    y_axis.setTitleText(y_title)
    if y_range:
        y_axis.setRange(*y_range)
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    for s in series:
        chart.addSeries(s)
        s.attachAxis(x_axis)
        s.attachAxis(y_axis)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumSize(260, 200)
    return view


class TrainingPanel(QDialog):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("trainingPanel")
        self.setWindowTitle("Retrain a model")
        self.window_ = window
        self.run: TrainingRun | None = None
        self.last_model_path: str | None = None
        self.limit: tuple[int | None, int | None] = (None, None)  # (train, test) slice; tests
        self._background = Background(self)
        self._build()
        self._load_settings()
        self._refresh_devices()

    # --- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        self.backend = QComboBox(objectName="trainBackend")
        self.backend.addItem("PyTorch", "torch")
        self.backend.addItem("Keras (TensorFlow)", "keras")
        self.backend.currentIndexChanged.connect(self._refresh_devices)
        self.arch = QComboBox(objectName="trainArch")
        for arch in ARCHS:
            self.arch.addItem({"mlp": "MLP (784-128-64-10)", "cnn": "CNN (most accurate)"}[arch],
                              arch)
        self.epochs = QSpinBox(objectName="trainEpochs", minimum=1, maximum=1000)
        self.batch = QSpinBox(objectName="trainBatch", minimum=1, maximum=65536)
        self.lr = QDoubleSpinBox(objectName="trainLr", decimals=5, minimum=0.00001, maximum=10,
                                 singleStep=0.0005)
        self.optimizer = QComboBox(objectName="trainOptimizer")
        labels = {"adam": "Adam", "adamw": "AdamW", "sgd": "SGD + momentum"}
        for name in OPTIMIZERS:
            self.optimizer.addItem(labels[name], name)
        self.augment = QCheckBox("Distort digits while training (recommended for drawings)",
                                 objectName="trainAugment")
        self.val_split = QDoubleSpinBox(objectName="trainValSplit", decimals=2, minimum=0,
                                        maximum=0.5, singleStep=0.05)
        self.seed = QSpinBox(objectName="trainSeed", minimum=0, maximum=2**31 - 1)
        self.data = QComboBox(objectName="trainData")
        for key, label in DATA_CHOICES:
            self.data.addItem(label, key)
        self.data.activated.connect(self._on_data_choice)
        self.folder = ""
        self.device = QComboBox(objectName="trainDevice")

        form = QFormLayout()
        form.addRow("Backend", self.backend)
        form.addRow("Architecture", self.arch)
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch)
        form.addRow("Learning rate", self.lr)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("", self.augment)
        form.addRow("Validation share", self.val_split)
        form.addRow("Seed", self.seed)
        form.addRow("Training data", self.data)
        form.addRow("Device", self.device)
        settings_box = QGroupBox("Settings")
        settings_box.setLayout(form)

        self.startButton = QPushButton("Start training", objectName="startTraining")
        self.startButton.setDefault(True)
        self.startButton.clicked.connect(self.start)
        self.cancelButton = QPushButton("Cancel", objectName="cancelTraining", enabled=False)
        self.cancelButton.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancelButton)
        buttons.addWidget(self.startButton)

        self.progress = QProgressBar(objectName="trainProgress")
        self.progress.setTextVisible(True)
        self.progress.setFormat("Not started")
        self.progress.setValue(0)
        self.message = QLabel(objectName="trainMessage")
        self.message.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), objectName="epochTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setMinimumHeight(110)

        self.loss_series = QLineSeries(name="batch loss")
        self.val_loss_series = QLineSeries(name="validation loss")
        self.acc_series = QLineSeries(name="training")
        self.val_acc_series = QLineSeries(name="validation")
        self.loss_chart = _chart("Loss", "loss", [self.loss_series, self.val_loss_series])
        self.acc_chart = _chart("Accuracy", "accuracy", [self.acc_series, self.val_acc_series],
                                (0.0, 1.0))
        charts = QHBoxLayout()
        charts.addWidget(self.loss_chart)
        charts.addWidget(self.acc_chart)

        left = QVBoxLayout()
        left.addWidget(settings_box)
        left.addLayout(buttons)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.progress)
        right.addWidget(self.message)
        right.addLayout(charts, 3)
        right.addWidget(self.table, 1)
        grid = QGridLayout(self)
        left_widget, right_widget = QWidget(), QWidget()
        left_widget.setLayout(left)
        right_widget.setLayout(right)
        grid.addWidget(left_widget, 0, 0)
        grid.addWidget(right_widget, 0, 1)
        grid.setColumnStretch(1, 1)
        self.resize(1040, 560)

    # --- settings -----------------------------------------------------------------------
    def _load_settings(self) -> None:
        def pick(combo: QComboBox, value) -> None:
            index = combo.findData(value)
            combo.setCurrentIndex(max(0, index))

        pick(self.backend, settings.get("train/backend"))
        pick(self.arch, settings.get("train/arch"))
        pick(self.optimizer, settings.get("train/optimizer"))
        pick(self.data, settings.get("train/data"))
        self.folder = settings.get("train/dataFolder")
        self.epochs.setValue(settings.get("train/epochs"))
        self.batch.setValue(settings.get("train/batchSize"))
        self.lr.setValue(settings.get("train/lr"))
        self.augment.setChecked(settings.get("train/augment"))
        self.val_split.setValue(settings.get("train/valSplit"))
        self.seed.setValue(settings.get("train/seed"))

    def _save_settings(self, config: TrainConfig) -> None:
        store = settings.store()
        for key, value in (("backend", config.backend), ("arch", config.arch),
                           ("epochs", config.epochs), ("batchSize", config.batch_size),
                           ("lr", config.lr), ("optimizer", config.optimizer),
                           ("augment", config.augment), ("valSplit", config.val_split),
                           ("seed", config.seed), ("device", config.device),
                           ("data", self.data.currentData()), ("dataFolder", self.folder)):
            settings.put(f"train/{key}", value, store)

    def _refresh_devices(self) -> None:
        """List only the devices this backend can use here (found off the GUI thread)."""
        from trainers.devices import list_devices

        backend = self.backend.currentData()
        self.device.clear()
        self.device.addItem("CPU", "cpu")
        self.device.setEnabled(False)

        def show(found) -> None:
            if self.backend.currentData() != backend:
                return
            self.device.clear()
            for device in found:
                self.device.addItem(device.label, device.id)
            self.device.setCurrentIndex(max(0, self.device.findData(settings.get("train/device"))))
            self.device.setEnabled(True)

        def failed(err: Exception) -> None:
            self.device.setEnabled(True)
            self.message.setText(f"Could not list devices: {err}")

        self._background.submit(lambda: list_devices(backend), show, failed)

    def _on_data_choice(self) -> None:
        if self.data.currentData() != "folder":
            return
        folder = QFileDialog.getExistingDirectory(self, "MNIST folder", self.folder)
        if folder:
            self.folder = folder
            self.data.setItemText(1, f"Full MNIST from {folder}")
        elif not self.folder:
            self.data.setCurrentIndex(0)

    def config(self) -> TrainConfig:
        """The settings as a TrainConfig; ConfigError says what is wrong."""
        return TrainConfig(
            backend=self.backend.currentData(), arch=self.arch.currentData(),
            epochs=self.epochs.value(), batch_size=self.batch.value(), lr=self.lr.value(),
            optimizer=self.optimizer.currentData(), augment=self.augment.isChecked(),
            val_split=self.val_split.value(), seed=self.seed.value(),
            device=self.device.currentData() or "cpu",
        )

    # --- running ------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.run is not None and self.run.running()

    def start(self) -> bool:
        if self.is_running():
            return False
        try:
            config = self.config()
        except ConfigError as err:
            self._show_error(f"Invalid settings: {err}")
            return False
        if self.data.currentData() == "folder" and not self.folder:
            self._show_error("Choose the folder that holds the MNIST files first.")
            return False
        self._save_settings(config)
        self._reset_progress(config)
        worker = TrainingWorker(config, self.data.currentData(), self.folder, *self.limit)
        worker.callbacks.progress.connect(self._on_progress)
        worker.callbacks.epochEnded.connect(self._on_epoch)
        worker.status.connect(self.message.setText)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        self.run = TrainingRun(worker)
        self._set_running(True)
        return True

    def cancel(self) -> None:
        if self.is_running():
            self.run.cancel()
            self.message.setText("Stopping after the current batch…")
            self.cancelButton.setEnabled(False)

    def confirm_close(self) -> bool:
        """Asked by the main window when it closes: stop a running training, if the user agrees."""
        if not self.is_running():
            return True
        answer = QMessageBox.question(
            self, "Training in progress",
            "A model is still training. Stop the training and quit?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.run.stop()
        return True

    def _reset_progress(self, config: TrainConfig) -> None:
        self.table.setRowCount(0)
        for series in (self.loss_series, self.val_loss_series, self.acc_series,
                       self.val_acc_series):
            series.clear()
        for view in (self.loss_chart, self.acc_chart):
            view.chart().axes(Qt.Orientation.Horizontal)[0].setRange(0, config.epochs)
        self.loss_chart.chart().axes(Qt.Orientation.Vertical)[0].setRange(0, 2.5)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setFormat("Starting…")
        self.message.setStyleSheet("")
        self._epochs = config.epochs

    def _set_running(self, running: bool) -> None:
        self.startButton.setEnabled(not running)
        self.cancelButton.setEnabled(running)
        for widget in (self.backend, self.arch, self.epochs, self.batch, self.lr, self.optimizer,
                       self.augment, self.val_split, self.seed, self.data, self.device):
            widget.setEnabled(not running)

    def _on_progress(self, epoch: int, step: int, steps: int, loss: float, left: float) -> None:
        done = (epoch * steps + step + 1) / (self._epochs * steps)
        self.progress.setValue(int(done * 1000))
        self.progress.setFormat(f"Epoch {epoch + 1}/{self._epochs} · batch {step + 1}/{steps}"
                                f" · {_duration(left)} left")
        self.loss_series.append(epoch + (step + 1) / steps, loss)

    def _on_epoch(self, epoch: int, metrics: dict) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        values = [str(epoch + 1)] + [
            f"{metrics[k]:.4f}" if k in metrics else "–"
            for k in ("loss", "accuracy", "val_loss", "val_accuracy")]
        for col, text in enumerate(values):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(row, col, item)
        self.table.scrollToBottom()
        self.acc_series.append(epoch + 1, metrics["accuracy"])
        if "val_accuracy" in metrics:
            self.val_acc_series.append(epoch + 1, metrics["val_accuracy"])
            self.val_loss_series.append(epoch + 1, metrics["val_loss"])

    def _on_finished(self, path: str, card, test_accuracy: float) -> None:
        self._set_running(False)
        self.last_model_path = path
        self.progress.setValue(1000)
        self.progress.setFormat("Done")
        self.message.setStyleSheet("color: #1b6e20;")
        self.message.setText(
            f"Test accuracy {test_accuracy:.2%} on the MNIST test set. Saved as {path} and now "
            "in use (the model list has the earlier ones).")
        self.window_.refresh_models()
        self.window_.select_model(path)

    def _on_failed(self, message: str) -> None:
        self._set_running(False)
        self.progress.setFormat("Failed")
        self._show_error(f"Training failed: {message}. The current model is unchanged.")

    def _on_cancelled(self) -> None:
        self._set_running(False)
        self.progress.setFormat("Cancelled")
        self.message.setStyleSheet("")
        self.message.setText("Training cancelled. Nothing was saved; the current model is "
                             "unchanged.")

    def _show_error(self, text: str) -> None:
        self.message.setStyleSheet("color: #a11;")
        self.message.setText(text)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
