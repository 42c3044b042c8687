"""Loading a model file as a predictor: the public entry point that scripts, notebooks, the CLI
and the window use. The work is done by the backend the file belongs to (digitpad.backends);
no framework is imported until a model is actually loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitpad import backends, models
from digitpad.backends.base import Predictor
from digitpad.errors import BackendMissing, ModelFileError

__all__ = ["Predictor", "load_predictor", "load_any", "predict_one", "ModelFileError"]


def load_predictor(backend: str, path: Path | None = None, device: str = "cpu") -> Predictor:
    """Load a model file (default: the bundled CNN of `backend`) as data, never as code."""
    chosen = backends.get(backend)
    path = Path(path) if path else models.default_model(backend)
    found = backends.for_path(path)
    if found.name != chosen.name:
        raise ModelFileError(f"{path}: a {found.name} model, not a {chosen.name} one")
    if not chosen.available():
        raise BackendMissing(f"{path}: {chosen.label} is not installed here "
                             f"(it needs the {chosen.framework!r} package)")
    card = models.check(path, models.read_card(path))
    return chosen.load(path, card, device)


def load_any(path: Path, device: str = "cpu") -> Predictor:
    """Load a model file, its backend told by its suffix."""
    return load_predictor(backends.for_path(Path(path)).name, path, device)


def predict_one(predictor: Predictor, digit: np.ndarray | None) -> np.ndarray | None:
    """Probabilities for one 28x28 image, or None for no digit."""
    return None if digit is None else predictor.predict(digit[None])[0]
