"""The PyTorch networks, layer for layer the same as `keras_nets` (names, sizes, order), and
their file format: a dict of plain tensors that `torch.load(weights_only=True)` can read."""

from __future__ import annotations

import contextlib
import copy
import io
import warnings

import numpy as np
import torch
from torch import nn

from digitpad.backends.base import PREDICT_BATCH

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
FILE_FORMAT = "digitpad-torch/1"


class Standardize(nn.Module):
    """Inputs arrive as 0..1 ink; the layers learn faster on zero-mean, unit-variance pixels."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - MNIST_MEAN) / MNIST_STD


def _conv_block(cin: int, cout: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


def build(arch: str) -> nn.Module:
    """`mlp`: the classic 784-128-64-10 tutorial network. `cnn`: two double-conv blocks with
    batch norm and max-pooling, then a 128-unit dense layer with dropout (about 470k weights)."""
    if arch == "mlp":
        return nn.Sequential(
            Standardize(), nn.Flatten(),
            nn.Linear(784, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 10),
        )
    if arch == "cnn":
        return nn.Sequential(
            Standardize(), nn.Unflatten(1, (1, 28)),
            *_conv_block(1, 32), *_conv_block(32, 32), nn.MaxPool2d(2),
            *_conv_block(32, 64), *_conv_block(64, 64), nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(64 * 7 * 7, 128, bias=False), nn.BatchNorm1d(128), nn.ReLU(),
            nn.Dropout(0.3),
            nn.Linear(128, 10),
        )
    raise ValueError(f"unknown architecture {arch!r}")


def predict_proba(model: nn.Module, images: np.ndarray, batch: int = PREDICT_BATCH) -> np.ndarray:
    """Class probabilities for (N, 28, 28) float32 images, calling the network directly."""
    device = next(model.parameters()).device
    if model.training:  # walking every module costs more than the forward pass of one image
        model.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(images), batch):
            x = torch.from_numpy(np.ascontiguousarray(images[start : start + batch], np.float32))
            out.append(torch.softmax(model(x.to(device)), dim=1).cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, 10), np.float32)


def input_gradient(model: nn.Module, image: np.ndarray, digit: int) -> np.ndarray:
    """Input x gradient of `digit`'s logit for one (28, 28) image, as (28, 28) float32."""
    device = next(model.parameters()).device
    model.eval()
    x = torch.from_numpy(np.ascontiguousarray(image, np.float32)[None]).to(device)
    x.requires_grad_(True)
    with torch.enable_grad():
        model(x)[0, digit].backward()
    return (x.grad * x).detach()[0].cpu().numpy()


class _Probabilities(nn.Module):
    """The network with its softmax, so an exported model gives what `predict` gives."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(x), dim=1)


def _for_export(model: nn.Module) -> nn.Module:
    """A CPU copy in inference mode: the model being read from is left as it was."""
    return _Probabilities(copy.deepcopy(model).cpu()).eval()


def export_onnx(model: nn.Module, path: str) -> None:
    """ONNX through torch.export: input "image" (batch, 28, 28), output "probabilities"."""
    batch = torch.export.Dim("batch", min=1, max=65536)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")  # the exporter's progress lines and advice
        torch.onnx.export(_for_export(model), (torch.zeros(2, 28, 28),), path,
                          input_names=["image"], output_names=["probabilities"],
                          dynamic_shapes=({0: batch},), dynamo=True, verbose=False,
                          optimize=True, external_data=False)


def export_torchscript(model: nn.Module, path: str) -> None:
    """TorchScript by tracing (the networks have no data-dependent branches)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TorchScript is deprecated upstream, still widely run
        traced = torch.jit.trace(_for_export(model), torch.zeros(2, 28, 28))
        traced.save(path)


def export(model: nn.Module, fmt: str, path: str) -> None:
    {"onnx": export_onnx, "torchscript": export_torchscript}[fmt](model, path)


def save(model: nn.Module, arch: str, path: str) -> None:
    """Weights only, as plain tensors in a dict: loadable with `weights_only=True`."""
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save({"format": FILE_FORMAT, "arch": arch, "state_dict": state}, path)


def load(path: str, device: str = "cpu") -> tuple[nn.Module, str]:
    """Load a model file as data; a pickle that would run code is refused by torch itself."""
    blob = torch.load(path, map_location=device, weights_only=True)
    if not isinstance(blob, dict) or blob.get("format") != FILE_FORMAT:
        raise ValueError("not a digitpad PyTorch model file")
    arch = blob.get("arch")
    model = build(arch)
    model.load_state_dict(blob["state_dict"])
    return model.to(device).eval(), arch
