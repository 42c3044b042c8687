"""Persistent settings: one table of defaults (which is also the schema), stored with QSettings.
Training defaults come from TrainConfig, the one place they are defined.

With DIGITPAD_HOME set (tests, portable installs) everything goes to an ini file there.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

from digitpad.pen import DEFAULT_WIDTH
from trainers.config import DEFAULTS as TRAIN

DEFAULTS: dict[str, object] = {
    "window/geometry": None,
    "model/path": "",  # empty: the bundled PyTorch CNN
    "model/device": "cpu",
    "canvas/penWidth": DEFAULT_WIDTH,
    "view/showWhy": False,
    "view/numberMode": False,
    "view/insideNetwork": False,  # View > Inside the network
    "view/insideFilters": False,  # ...with the first convolution's filters
    "compare/models": "",  # View > Compare models: the model files, one a line
    "train/backend": TRAIN.backend,
    "train/arch": TRAIN.arch,
    "train/layers": "",  # a network of the user's own, in the short form; empty: arch
    "train/epochs": TRAIN.epochs,
    "train/batchSize": TRAIN.batch_size,
    "train/lr": TRAIN.lr,
    "train/optimizer": TRAIN.optimizer,
    "train/augment": TRAIN.augment,
    "train/valSplit": TRAIN.val_split,
    "train/seed": TRAIN.seed,
    "train/device": TRAIN.device,
    "train/data": "bundled",
    "train/dataFolder": "",
    "train/tensorboard": False,
}


def store() -> QSettings:
    home = os.environ.get("DIGITPAD_HOME")
    if home:
        return QSettings(str(Path(home) / "settings.ini"), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "digitpad", "digitpad")


def get(key: str, settings: QSettings | None = None):
    """A setting, converted to the type of its default."""
    default = DEFAULTS[key]
    value = (settings or store()).value(key, default)
    if default is None or value is None:
        return value
    try:
        if isinstance(default, bool):
            return value if isinstance(value, bool) else str(value).lower() in ("true", "1")
        return type(default)(value)
    except (TypeError, ValueError):
        return default


def put(key: str, value, settings: QSettings | None = None) -> None:
    if key not in DEFAULTS:
        raise KeyError(key)
    (settings or store()).setValue(key, value)
