"""Where the user's files live: one data folder holding models, samples, runs and logs.

$DIGITPAD_HOME when set (tests, portable installs), else the platform's app-data folder (the
same place Qt's AppDataLocation names). Settings live there too when DIGITPAD_HOME is set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def data_home() -> Path:
    home = os.environ.get("DIGITPAD_HOME")
    if home:
        return Path(home)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "digitpad"


def models_dir() -> Path:
    """The user's own models (the bundled ones live in the app's assets)."""
    return data_home() / "models"


def tensorboard_dir() -> Path:
    """Where the window's training runs are logged for TensorBoard, one folder per run."""
    return data_home() / "tensorboard"


def runs_dir() -> Path:
    """Every training run's history (settings, epochs, outcome), one small JSON file each."""
    return data_home() / "runs"


def logs_dir() -> Path:
    return data_home() / "logs"
