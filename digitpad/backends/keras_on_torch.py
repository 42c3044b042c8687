"""Keras without TensorFlow (the CPU build leaves out its 1.4 GB): `.keras` files are still read
and written by Keras (on its torch backend, in safe mode), but reading digits and training run
through the network's PyTorch twin (keras_torch), 3-4 times faster than Keras layers calling
torch one by one (15.8 ms a reading, measured). The files stay Keras files.

The registry takes this module for "keras" where TensorFlow is not installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from digitpad import network
from digitpad.backends.base import Device, Predictor
from digitpad.backends.keras_backend import KerasBackend
from digitpad.backends.torch_backend import BACKEND as TORCH
from digitpad.backends.torch_backend import TorchLearner, TorchPredictor
from digitpad.card import ModelCard
from digitpad.errors import ModelFileError
from digitpad.network import Layer


class KerasOnTorchPredictor(TorchPredictor):
    """A Keras model read through its PyTorch twin."""

    def __init__(self, model: Any, card: ModelCard, path: Path, device: str) -> None:
        super().__init__(model, card, path, device)
        self.backend = "keras"

    def framework_summary(self) -> str:
        return (
            "Read through its PyTorch twin (TensorFlow is not installed):\n"
            + super().framework_summary()
        )


class KerasOnTorchBackend(KerasBackend):
    runs_on = "PyTorch"
    exported_by = "torch"  # tf2onnx needs TensorFlow; the twin is exported by torch instead

    def devices(self) -> list[Device]:
        """The PyTorch twin's devices, in Keras's spelling."""
        return [
            Device(d.id.replace("cuda", "gpu"), d.label)
            for d in TORCH.devices()
            if d.id == "cpu" or d.id.startswith("cuda")
        ]

    def predictor(
        self, model: Any, card: ModelCard, path: Path, device: str
    ) -> KerasOnTorchPredictor:
        from digitpad.backends import torch_nets
        from digitpad.backends.keras_torch import keras_to_torch

        if not card.network:  # what the layers are (read by `load`)
            raise ModelFileError(
                f"{path}: a Keras network digitpad did not build; reading it "
                "needs TensorFlow, which this build leaves out"
            )
        net = keras_to_torch(model.get_weights(), torch_nets.build(network.from_json(card.network)))
        predictor = KerasOnTorchPredictor(net.to(_torch_device(device)), card, path, device)
        predictor.predict(np.zeros((1, 28, 28), np.float32))  # warm up now, not on a stroke
        return predictor

    def learner(
        self, layers: tuple[Layer, ...], optimizer: str, device: str, seed: int, start: Any = None
    ) -> TorchLearner:
        return TorchLearner(layers, optimizer, _torch_device(device), seed, start)

    def export(self, predictor: Predictor, fmt: str, path: Path) -> None:
        """The PyTorch twin written as ONNX; TensorFlow's formats are refused before this
        (digitpad.export names the missing extra)."""
        TORCH.export(predictor, fmt, path)

    def explain_failure(self, err: Exception, device: str) -> str | None:
        return TORCH.explain_failure(err, device)


def _torch_device(device: str) -> str:
    return device.replace("gpu", "cuda")


BACKEND = KerasOnTorchBackend()
