"""The PyTorch backend: `.pt` files of plain tensors, inference under `inference_mode`, training
steps on tensors sliced from numpy batches (no DataLoader, no per-sample transforms)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from digitpad.backends.base import Backend, Device, Predictor, describe_network
from digitpad.card import ModelCard
from digitpad.errors import ModelFileError
from digitpad.layer_outputs import LayerOutput, collect, groups
from digitpad.network import DescriptionError, Layer

ZIP_MAGIC = b"PK\x03\x04"  # torch.save writes a zip archive
PICKLE_MAGIC = b"\x80"  # ...or, from old versions, a bare pickle


class TorchPredictor(Predictor):
    def __init__(self, model: Any, card: ModelCard, path: Path, device: str) -> None:
        super().__init__("torch", card, path, device)
        self.model = model

    def predict(self, images: np.ndarray) -> np.ndarray:
        from digitpad.backends.torch_nets import predict_proba

        return predict_proba(self.model, images)

    def framework_summary(self) -> str:
        return str(self.model)

    def activations(self, image: np.ndarray) -> list[LayerOutput]:
        from digitpad.backends.torch_nets import layer_outputs

        return collect(groups(self.model.description), layer_outputs(self.model, image))

    def activations_missing(self) -> str:
        return ""

    def first_filters(self) -> np.ndarray | None:
        from digitpad.backends.torch_nets import first_filters

        return first_filters(self.model)

    def explain(self, image: np.ndarray, digit: int) -> np.ndarray:
        """Input x gradient of the digit's logit (one backward pass)."""
        from digitpad.backends.torch_nets import input_gradient

        return input_gradient(self.model, image, digit)


class TorchLearner:
    def __init__(
        self, layers: tuple[Layer, ...], optimizer: str, device: str, seed: int, start: Any = None
    ) -> None:
        import torch

        from digitpad.backends import torch_nets

        torch.manual_seed(seed)
        self.device = device
        self.model = torch_nets.build(layers).to(device)
        if start is not None:  # a copy: the network fine-tuned from is left as it was
            self.model.load_state_dict(start.state_dict())
        params = self.model.parameters()
        if optimizer == "sgd":
            self.optimizer = torch.optim.SGD(
                params, lr=0.0, momentum=0.9, nesterov=True, foreach=True
            )
        elif optimizer == "adamw":  # fused: one kernel updates every parameter
            self.optimizer = torch.optim.AdamW(params, lr=0.0, weight_decay=1e-4, fused=True)
        else:
            self.optimizer = torch.optim.Adam(params, lr=0.0, fused=True)
        self.loss_fn = torch.nn.CrossEntropyLoss()

    def step(self, images: np.ndarray, labels: np.ndarray, lr: float) -> tuple[float, int]:
        import torch

        x = torch.from_numpy(np.ascontiguousarray(images)).to(self.device)
        y = torch.from_numpy(np.asarray(labels, np.int64)).to(self.device)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        if not self.model.training:
            self.model.train()
        logits = self.model(x)
        loss = self.loss_fn(logits, y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        correct = (logits.detach().argmax(1) == y).sum()
        value, right = torch.stack([loss.detach(), correct.to(loss.dtype)]).tolist()  # one sync
        return value, int(right)

    def predict(self, images: np.ndarray) -> np.ndarray:
        from digitpad.backends.torch_nets import predict_proba

        return predict_proba(self.model, images)

    def learning_rate(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def trained(self):  # -> torch.nn.Module
        return self.model

    def release(self) -> None:
        """Nothing is borrowed: every training builds its own network."""


class TorchBackend(Backend):
    name = "torch"
    label = "PyTorch"
    suffix = ".pt"
    framework = "torch"
    nets = "digitpad.backends.torch_nets"
    gpu_prefix = "cuda"
    export_formats = ("onnx", "torchscript")

    def devices(self) -> list[Device]:
        import torch

        found = [Device("cpu", "CPU")]
        if torch.cuda.is_available():
            for i in range(torch.cuda.device_count()):
                found.append(Device(f"cuda:{i}", f"CUDA {i}: {torch.cuda.get_device_name(i)}"))
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            found.append(Device("mps", "Apple GPU (MPS)"))
        return found

    def load(self, path: Path, card: ModelCard, device: str = "cpu") -> TorchPredictor:
        path = Path(path)
        with path.open("rb") as f:
            head = f.read(4)
        if not head:
            raise ModelFileError(f"{path}: empty file, not a PyTorch model")
        if not (head.startswith(ZIP_MAGIC) or head.startswith(PICKLE_MAGIC)):
            raise ModelFileError(f"{path}: not a PyTorch model file")
        device = self.resolve_device(device)
        from digitpad.backends import torch_nets

        try:
            model, layers = torch_nets.load(str(path), device)
        except Exception as err:  # torch raises many kinds for a damaged or foreign file
            raise ModelFileError(f"{path}: {_load_failure(err)}") from err
        describe_network(card, layers)
        predictor = TorchPredictor(model, card, path, device)
        predictor.predict(np.zeros((1, 28, 28), np.float32))  # warm up now, not on a stroke
        return predictor

    def learner(
        self, layers: tuple[Layer, ...], optimizer: str, device: str, seed: int, start: Any = None
    ) -> TorchLearner:
        return TorchLearner(layers, optimizer, device, seed, start)

    def run_export(self, fmt: str, path: Path, images: np.ndarray) -> np.ndarray:
        if fmt != "torchscript":
            return super().run_export(fmt, path, images)
        import warnings

        import torch

        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            return torch.jit.load(str(path), map_location="cpu")(torch.from_numpy(images)).numpy()

    def explain_failure(self, err: Exception, device: str) -> str | None:
        import torch

        if isinstance(err, torch.OutOfMemoryError):
            return f"out of memory on {device}: lower the batch size"
        if isinstance(err, RuntimeError):
            return f"training failed on {device}: {err}"
        return None


def _load_failure(err: Exception) -> str:
    """Why torch could not read a file, in words: code refused, damaged, or foreign."""
    text = str(err)
    if "Weights only load failed" in text or "Unsupported global" in text:
        return "refused: the file holds more than weights (opening it could run code)"
    if "digitpad PyTorch model" in text:
        return "a PyTorch file, but not a digitpad model"
    if isinstance(err, DescriptionError):
        return f"its network description cannot be built ({err})"
    if "state_dict" in text or "size mismatch" in text:
        return "a digitpad PyTorch file whose weights do not fit its network (damaged?)"
    return f"not a readable PyTorch model file (damaged or truncated: {text.splitlines()[0]})"


BACKEND = TorchBackend()
