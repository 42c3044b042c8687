"""The PyTorch networks built from any description, layer for layer the same as `keras_nets`
(sizes, order), and their file format: a dict of plain tensors and the description as plain
lists, which `torch.load(weights_only=True)` can read."""

from __future__ import annotations

import contextlib
import copy
import io
import warnings

import numpy as np
import torch
from torch import nn

from digitpad import network
from digitpad.backends.base import PREDICT_BATCH
from digitpad.backends.notices import without_torchvision_notice
from digitpad.layer_outputs import groups
from digitpad.network.layers import (
    Activation,
    BatchNorm,
    Conv,
    Dense,
    Dropout,
    Flatten,
    Layer,
    Pool,
)
from digitpad.network.layers import GlobalAvgPool as GlobalAvgPoolLayer
from digitpad.network.plan import Step, plan, uneven_padding

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
FILE_FORMAT = "digitpad-torch/2"  # the network's description beside its weights
OLD_FORMAT = "digitpad-torch/1"  # a preset's name ("mlp", "cnn") beside the weights


class Standardize(nn.Module):
    """Inputs arrive as 0..1 ink; the layers learn faster on zero-mean, unit-variance pixels."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - MNIST_MEAN) / MNIST_STD


class GlobalAvgPool(nn.Module):
    """The mean of each feature map: (N, C, H, W) -> (N, C)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3))


ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU}


def build(layers: tuple[Layer, ...] | list[Layer]) -> nn.Module:
    """The network a description says, as `network.plan` lays it out, module for module in the
    order `keras_nets.build` makes its layers (so weights move between them exactly). The
    description travels with the network (`net.description`) into its file."""
    steps = plan(layers)
    modules: list[nn.Module] = [Standardize()]
    if not isinstance(steps[0].layer, Flatten):
        modules.append(nn.Unflatten(1, (1, 28)))  # (N, 28, 28) -> (N, 1, 28, 28)
    ends = []  # the index of each step's last module: where that row's output is read
    for step in steps:
        modules += _modules(step)
        ends.append(len(modules) - 1)
    net = nn.Sequential(*modules)
    net.description, net.step_ends = tuple(layers), tuple(ends)
    return net


def _modules(step: Step) -> list[nn.Module]:
    layer = step.layer
    if isinstance(layer, Dense):
        return [
            nn.Linear(step.input_shape[0], layer.units, bias=step.bias),
            *_activation(layer.activation),
        ]
    if isinstance(layer, Conv):
        return [
            *_padding(step),
            nn.Conv2d(
                step.input_shape[2],
                layer.filters,
                layer.kernel,
                stride=layer.stride,
                bias=step.bias,
                padding=_symmetric_padding(layer),
            ),
            *_activation(layer.activation),
        ]
    if isinstance(layer, Pool):
        return [(nn.MaxPool2d if layer.mode == "max" else nn.AvgPool2d)(layer.size)]
    if isinstance(layer, BatchNorm):
        flat = len(step.input_shape) == 1
        return [(nn.BatchNorm1d if flat else nn.BatchNorm2d)(step.input_shape[-1])]
    if isinstance(layer, Activation):
        return _activation(layer.function) or [nn.Identity()]
    if isinstance(layer, Dropout):
        return [nn.Dropout(layer.rate)]
    if isinstance(layer, GlobalAvgPoolLayer):
        return [GlobalAvgPool()]
    return [nn.Flatten()]


def _activation(name: str) -> list[nn.Module]:
    return [ACTIVATIONS[name]()] if name != "none" else []


def _symmetric_padding(layer: Conv) -> int:
    """ "same" with stride 1 and an odd kernel pads evenly: the convolution does it itself."""
    return layer.kernel // 2 if layer.padding == "same" and _even_same(layer) else 0


def _even_same(layer: Conv) -> bool:
    return layer.stride == 1 and layer.kernel % 2 == 1


def _padding(step: Step) -> list[nn.Module]:
    """An explicit zero pad where Keras pads unevenly (network.plan.uneven_padding)."""
    pads = uneven_padding(step)
    return [nn.ZeroPad2d(pads)] if pads else []


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


def layer_outputs(model: nn.Module, image: np.ndarray) -> list[np.ndarray]:
    """The output of each shown layer (layer_outputs.groups) for one (28, 28) image, maps as
    (height, width, channels) like the plan's shapes and a flatten of maps in that order too
    (as Keras flattens them; the twins' dense weights are permuted to match); the last is
    `predict_proba`'s answer. The modules run one by one (no hooks to add and remove)."""
    ends = {model.step_ends[g.steps[-1]] for g in groups(model.description)}
    device = next(model.parameters()).device
    if model.training:
        model.eval()
    x = torch.from_numpy(np.ascontiguousarray(image, np.float32)[None]).to(device)
    found = []
    with torch.inference_mode():
        for index, module in enumerate(model):
            before, x = x, module(x)
            if index not in ends:
                continue
            if x.dim() == 4 or (isinstance(module, nn.Flatten) and before.dim() == 4):
                found.append((x if x.dim() == 4 else before)[0].permute(1, 2, 0))
            else:
                found.append(x[0])
        found[-1] = torch.softmax(x, dim=1)[0]
        return [t.cpu().numpy() for t in found]


def first_filters(model: nn.Module) -> np.ndarray | None:
    """The first convolution's kernels, (filters, height, width) (its input is the one-channel
    image: only convolutions change the channels)."""
    conv = next((m for m in model if isinstance(m, nn.Conv2d)), None)
    return None if conv is None else conv.weight.detach()[:, 0].cpu().numpy().copy()


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
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        without_torchvision_notice(),
    ):
        warnings.simplefilter("ignore")  # the exporter's progress lines and advice
        torch.onnx.export(
            _for_export(model),
            (torch.zeros(2, 28, 28),),
            path,
            input_names=["image"],
            output_names=["probabilities"],
            dynamic_shapes=({0: batch},),
            dynamo=True,
            verbose=False,
            optimize=True,
            external_data=False,
        )


def export_torchscript(model: nn.Module, path: str) -> None:
    """TorchScript by tracing (the networks have no data-dependent branches)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TorchScript is deprecated upstream, still widely run
        traced = torch.jit.trace(_for_export(model), torch.zeros(2, 28, 28))
        traced.save(path)


def export(model: nn.Module, fmt: str, path: str) -> None:
    {"onnx": export_onnx, "torchscript": export_torchscript}[fmt](model, path)


def save(model: nn.Module, layers: tuple[Layer, ...], path: str) -> None:
    """Weights only, as plain tensors in a dict with the description as plain lists: loadable
    with `weights_only=True`."""
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save(
        {"format": FILE_FORMAT, "network": network.to_json(layers), "state_dict": state}, path
    )


def load(path: str, device: str = "cpu") -> tuple[nn.Module, tuple[Layer, ...]]:
    """Load a model file as data (a pickle that would run code is refused by torch itself) and
    rebuild its network from the description it holds (or, in older files, the preset named)."""
    blob = torch.load(path, map_location=device, weights_only=True)
    if not isinstance(blob, dict) or blob.get("format") not in (FILE_FORMAT, OLD_FORMAT):
        raise ValueError("not a digitpad PyTorch model file")
    if blob["format"] == OLD_FORMAT:
        layers = network.preset(str(blob.get("arch"))).layers
    else:
        layers = network.from_json(blob.get("network"))
    model = build(layers)
    model.load_state_dict(blob["state_dict"])
    return model.to(device).eval(), layers
