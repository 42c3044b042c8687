"""One predictor interface over the PyTorch and Keras models.

`load_predictor` picks the backend module lazily, so importing this package loads neither torch
nor TensorFlow.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Protocol

import numpy as np

from digitpad.models import ModelCard, ModelFileError, backend_of, default_model, read_card, verify

BACKENDS = {"torch": "PyTorch", "keras": "Keras"}


class Predictor(Protocol):
    backend: str
    card: ModelCard
    path: Path

    def predict(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) float32 0..1 -> (N, 10) probabilities."""
        ...


class BackendMissing(ModelFileError):
    """The framework a model needs is not installed."""


def load_predictor(backend: str, path: Path | None = None, device: str = "cpu") -> Predictor:
    """Load a model file (default: the bundled CNN of `backend`) as data, never as code."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (choose {' or '.join(BACKENDS)})")
    path = Path(path) if path else default_model(backend)
    if backend_of(path) != backend:
        raise ModelFileError(f"{path}: a {backend_of(path)} model, not a {backend} one")
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    card = read_card(path)
    verify(path, card)
    try:
        module = import_module(f"digitpad.predictors.{backend}_predictor")
    except ImportError as err:
        raise BackendMissing(f"{BACKENDS[backend]} is not installed ({err})") from err
    return module.load(path, card, device)


def load_any(path: Path, device: str = "cpu") -> Predictor:
    """Load a model file, its backend told by its suffix."""
    return load_predictor(backend_of(Path(path)), path, device)


def predict_one(predictor: Predictor, digit: np.ndarray | None) -> np.ndarray | None:
    """Probabilities for one 28x28 image, or None for no digit."""
    return None if digit is None else predictor.predict(digit[None])[0]
