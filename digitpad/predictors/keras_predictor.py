"""Keras predictor: the model called through one traced `tf.function`, never through Keras's
batch-oriented predict method (which costs tens of milliseconds per call)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitpad.models import ModelCard, ModelFileError


class KerasPredictor:
    backend = "keras"

    def __init__(self, model, card: ModelCard, path: Path, device: str) -> None:
        from trainers.keras_models import logits_fn

        self.model, self.card, self.path, self.device = model, card, path, device
        self._fn = logits_fn(model)
        self._device = "/" + device.upper()
        self._fn(np.zeros((1, 28, 28), np.float32))  # trace now, not on the first stroke

    def predict(self, images: np.ndarray) -> np.ndarray:
        from trainers.frameworks import tensorflow

        tf = tensorflow()

        from trainers.keras_models import predict_proba

        with tf.device(self._device):
            return predict_proba(self.model, images, fn=self._fn)


def load(path: Path, card: ModelCard, device: str = "cpu") -> KerasPredictor:
    from trainers import keras_models
    from trainers.devices import DeviceUnavailable, resolve

    try:
        device = resolve("keras", device)
        model = keras_models.load(str(path))
    except DeviceUnavailable as err:
        raise ModelFileError(str(err)) from err
    except Exception as err:  # keras raises ValueError, OSError, zipfile errors, ...
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        if "safe_mode" in str(err) or "lambda" in str(err).lower():
            reason = "refused: the file holds code (a Lambda layer); it was not run"
        raise ModelFileError(f"{path}: not a usable Keras model ({reason})") from err
    shape = tuple(model.input_shape[1:]) if hasattr(model, "input_shape") else ()
    if shape != (28, 28) or model.output_shape[-1] != 10:
        raise ModelFileError(f"{path}: takes {shape} and gives {model.output_shape}, "
                             "not 28x28 images to 10 digits")
    card.arch = keras_models.arch_of(model) if card.arch == "unknown" else card.arch
    return KerasPredictor(model, card, path, device)
