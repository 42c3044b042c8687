"""The settings of a training run, as a form that reads and writes a `TrainConfig`. Its values
start from the saved settings, whose defaults are TrainConfig's; devices are listed off the GUI
thread, and only those the backend can really use here."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QSpinBox,
)

from digitpad import backends, network
from digitpad.data import CHOICES
from digitpad.paths import tensorboard_dir
from digitpad.ui import settings
from digitpad.ui.layer_editor import LayerEditor
from digitpad.ui.workers import WorkerPool
from trainers.config import (
    BATCH_SIZE,
    EPOCHS,
    MAX_LR,
    MAX_VAL_SPLIT,
    OPTIMIZERS,
    ConfigError,
    TrainConfig,
)

OPTIMIZER_LABELS = {"adam": "Adam", "adamw": "AdamW", "sgd": "SGD + momentum"}


class TrainingForm(QGroupBox):
    def __init__(self, pool: WorkerPool) -> None:
        super().__init__("Settings")
        self.pool = pool
        self.backend = QComboBox(objectName="trainBackend")
        for name in backends.trainable():
            self.backend.addItem(backends.label(name), name)
        self.backend.currentIndexChanged.connect(self.refresh_devices)
        self.network = LayerEditor()
        self.arch = self.network.preset  # the preset chooser, at the top of the network
        self.epochs = QSpinBox(objectName="trainEpochs", minimum=EPOCHS[0], maximum=EPOCHS[1])
        self.batch = QSpinBox(objectName="trainBatch", minimum=BATCH_SIZE[0], maximum=BATCH_SIZE[1])
        self.lr = QDoubleSpinBox(
            objectName="trainLr", decimals=5, minimum=0.00001, maximum=MAX_LR, singleStep=0.0005
        )
        self.optimizer = QComboBox(objectName="trainOptimizer")
        for name in OPTIMIZERS:
            self.optimizer.addItem(OPTIMIZER_LABELS[name], name)
        self.augment = QCheckBox(
            "Distort digits while training (recommended for drawings)", objectName="trainAugment"
        )
        self.val_split = QDoubleSpinBox(
            objectName="trainValSplit",
            decimals=2,
            minimum=0,
            maximum=MAX_VAL_SPLIT,
            singleStep=0.05,
        )
        self.seed = QSpinBox(objectName="trainSeed", minimum=0, maximum=2**31 - 1)
        self.data = QComboBox(objectName="trainData")
        for key, label in CHOICES.items():
            self.data.addItem(label, key)
        self.data.activated.connect(self._on_data_choice)
        self.folder = ""
        self.device = QComboBox(objectName="trainDevice")
        self.device_error = ""
        self.tensorboard = QCheckBox("Log the run for TensorBoard", objectName="trainTensorBoard")
        if find_spec("tensorboard") is None:
            self.tensorboard.setEnabled(False)
            self.tensorboard.setToolTip(
                "Needs the tensorboard package: pip install 'digitpad[tensorboard]'"
            )
        else:
            self.tensorboard.setToolTip(
                f"Each run gets a folder in {tensorboard_dir()}; "
                f"compare them with: tensorboard --logdir "
                f"{tensorboard_dir()}"
            )

        form = QFormLayout(self)
        for label, widget in (
            ("Backend", self.backend),
            ("Epochs", self.epochs),
            ("Batch size", self.batch),
            ("Learning rate", self.lr),
            ("Optimizer", self.optimizer),
            ("", self.augment),
            ("Validation share", self.val_split),
            ("Seed", self.seed),
            ("Training data", self.data),
            ("Device", self.device),
            ("", self.tensorboard),
        ):
            form.addRow(label, widget)
        self.load()
        self.refresh_devices()

    def widgets(self) -> tuple:
        return (
            self.backend,
            self.network,
            self.epochs,
            self.batch,
            self.lr,
            self.optimizer,
            self.augment,
            self.val_split,
            self.seed,
            self.data,
            self.device,
            self.tensorboard,
        )

    def load(self) -> None:
        """Fill the form from the saved settings."""

        def pick(combo: QComboBox, value) -> None:
            combo.setCurrentIndex(max(0, combo.findData(value)))

        pick(self.backend, settings.get("train/backend"))
        custom = settings.get("train/layers")
        if custom:
            self.network.set_spec(custom)
        else:
            preset = settings.get("train/arch")
            self.network.set_layers(
                network.preset(preset if preset in network.PRESETS else network.DEFAULT).layers
            )
        pick(self.optimizer, settings.get("train/optimizer"))
        pick(self.data, settings.get("train/data"))
        self.folder = settings.get("train/dataFolder")
        self.epochs.setValue(settings.get("train/epochs"))
        self.batch.setValue(settings.get("train/batchSize"))
        self.lr.setValue(settings.get("train/lr"))
        self.augment.setChecked(settings.get("train/augment"))
        self.val_split.setValue(settings.get("train/valSplit"))
        self.seed.setValue(settings.get("train/seed"))
        self.tensorboard.setChecked(
            bool(settings.get("train/tensorboard")) and self.tensorboard.isEnabled()
        )

    def save(self, config: TrainConfig) -> None:
        store = settings.store()
        custom = network.format_layers(config.layers) if config.layers else ""
        for key, value in (
            ("backend", config.backend),
            ("arch", config.arch),
            ("layers", custom),
            ("epochs", config.epochs),
            ("batchSize", config.batch_size),
            ("lr", config.lr),
            ("optimizer", config.optimizer),
            ("augment", config.augment),
            ("valSplit", config.val_split),
            ("seed", config.seed),
            ("device", config.device),
            ("data", self.data.currentData()),
            ("dataFolder", self.folder),
            ("tensorboard", self.tensorboard.isChecked()),
        ):
            settings.put(f"train/{key}", value, store)

    def config(self) -> TrainConfig:
        """The settings as a TrainConfig; ConfigError says what is wrong."""
        try:
            layers = self.network.layers()
        except network.DescriptionError as err:
            raise ConfigError(f"network: {err}") from err
        return TrainConfig(
            backend=self.backend.currentData(),
            layers=layers,
            epochs=self.epochs.value(),
            batch_size=self.batch.value(),
            lr=self.lr.value(),
            optimizer=self.optimizer.currentData(),
            augment=self.augment.isChecked(),
            val_split=self.val_split.value(),
            seed=self.seed.value(),
            device=self.device.currentData() or "cpu",
        )

    def tensorboard_folder(self) -> Path | None:
        """Where to log the run for TensorBoard, or None when not asked."""
        return tensorboard_dir() if self.tensorboard.isChecked() else None

    def refresh_devices(self) -> None:
        """List only the devices this backend can use here (found off the GUI thread)."""
        name = self.backend.currentData()
        self.device.clear()
        self.device.addItem("CPU", "cpu")
        self.device.setEnabled(False)

        def show(found) -> None:
            if self.backend.currentData() != name:
                return
            self.device.clear()
            for device in found:
                self.device.addItem(device.label, device.id)
            self.device.setCurrentIndex(max(0, self.device.findData(settings.get("train/device"))))
            self.device.setEnabled(True)

        def failed(err: Exception) -> None:
            self.device.setEnabled(True)
            self.device_error = f"Could not list devices: {err}"

        self.pool.start(lambda worker: backends.get(name).devices(), "devices", show, failed)

    def _on_data_choice(self) -> None:
        if self.data.currentData() != "folder":
            return
        folder = QFileDialog.getExistingDirectory(self, "MNIST folder", self.folder)
        if folder:
            self.folder = folder
            self.data.setItemText(self.data.currentIndex(), f"Full MNIST from {folder}")
        elif not self.folder:
            self.data.setCurrentIndex(0)
