"""Loading a model file as a predictor: the public entry point that scripts, notebooks, the CLI
and the window use. The work is done by the backend the file belongs to (digitpad.backends);
no framework is imported until a model is actually loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitpad import backends, models
from digitpad.backends.base import Predictor, check_reading, first_line
from digitpad.errors import BackendMissing, DeviceUnavailable, ModelFileError

__all__ = ["Predictor", "load_predictor", "load_any", "predict_one", "ModelFileError"]


def load_predictor(backend: str, path: Path | None = None, device: str = "cpu") -> Predictor:
    """Load a model file (default: the bundled CNN of `backend`) as data, never as code, and
    check that it reads digits: whatever goes wrong is a ModelFileError naming the file."""
    chosen = backends.get(backend)
    path = Path(path) if path else models.default_model(backend)
    refuse_non_file(path)
    found = backends.for_path(path)
    if found.name != chosen.name:
        raise ModelFileError(f"{path}: a {found.name} model, not a {chosen.name} one")
    if not chosen.available():
        raise BackendMissing(
            f"{path}: {chosen.label} is not installed here "
            f"({chosen.install or 'it needs the ' + repr(chosen.framework)})"
        )
    card = models.check(path, models.read_card(path))
    try:
        predictor = chosen.load(path, card, device)
    except (ModelFileError, DeviceUnavailable):
        raise
    except Exception as err:  # a framework's own error while building or warming up the model
        raise ModelFileError(
            f"{path}: not a usable {chosen.label} model ({first_line(err)})"
        ) from err
    check_reading(predictor)
    return predictor


def refuse_non_file(path: Path) -> None:
    """A folder, pipe or device where a model file was asked for is named as what it is (it
    was "no such model file"; a pipe would block the reader)."""
    if path.is_dir():
        raise ModelFileError(f"{path}: a folder, not a model file")
    if path.exists() and not path.is_file():
        raise ModelFileError(
            f"{path}: not a regular file (a pipe, socket or device), not a model file"
        )


def load_any(path: Path, device: str = "cpu") -> Predictor:
    """Load a model file, its backend told by its suffix."""
    return load_predictor(backends.for_path(Path(path)).name, path, device)


def predict_one(predictor: Predictor, digit: np.ndarray | None) -> np.ndarray | None:
    """Probabilities for one 28x28 image, or None for no digit."""
    return None if digit is None else predictor.predict(digit[None])[0]
