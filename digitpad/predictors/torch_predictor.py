"""PyTorch predictor: the network called directly under `inference_mode`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitpad.models import ModelCard, ModelFileError


class TorchPredictor:
    backend = "torch"

    def __init__(self, model, card: ModelCard, path: Path, device: str) -> None:
        self.model, self.card, self.path, self.device = model, card, path, device

    def predict(self, images: np.ndarray) -> np.ndarray:
        from trainers.torch_models import predict_proba

        return predict_proba(self.model, images)


def load(path: Path, card: ModelCard, device: str = "cpu") -> TorchPredictor:
    import pickle

    from trainers import torch_models
    from trainers.devices import DeviceUnavailable, resolve

    try:
        device = resolve("torch", device)
        model, arch = torch_models.load(str(path), device)
    except DeviceUnavailable as err:
        raise ModelFileError(str(err)) from err
    except pickle.UnpicklingError as err:
        raise ModelFileError(
            f"{path}: refused: the file holds more than weights (it may run code when opened)"
        ) from err
    except Exception as err:  # torch raises many kinds for a damaged or foreign file
        raise ModelFileError(f"{path}: not a usable PyTorch model ({err})") from err
    card.arch = arch
    return TorchPredictor(model, card, path, device)
