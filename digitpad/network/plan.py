"""A description walked from the input to the output: every layer's output shape, weights and
multiply-adds, computed from the description alone (for the summary, the editor and the checks)
and the one place where a network is validated.

Both builders build `plan(...)`, not the bare description, so they agree on what is implied: the
10-way output layer, a flatten before the first dense layer that meets an image, and no bias in a
dense or conv layer whose output goes straight into a batch norm (which has its own shift).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from digitpad.network.layers import (
    ACTIVATIONS,
    PADDINGS,
    POOLS,
    Activation,
    BatchNorm,
    Conv,
    Dense,
    DescriptionError,
    Dropout,
    Flatten,
    GlobalAvgPool,
    Layer,
    Pool,
)

INPUT_SHAPE = (28, 28, 1)  # height, width, channels: one MNIST-style image
CLASSES = 10
MAX_LAYERS = 50
MAX_WEIGHTS = 20_000_000  # ~80 MB of float32: far past what reads digits, still trainable here
MAX_UNITS = 65_536  # dense units and conv filters
MAX_WINDOW = 28  # kernel, stride and pool sizes: the image's side

Shape = tuple[int, ...]  # (height, width, channels) for images, (features,) once flat


@dataclass(frozen=True)
class Step:
    """One layer as built: what it takes and gives, its weights and multiply-adds per image."""

    layer: Layer
    input_shape: Shape
    output_shape: Shape
    params: int
    flops: int
    bias: bool = False
    implied: bool = False  # added by the plan, not written in the description

    @property
    def name(self) -> str:
        return describe(self.layer) + (" (output)" if self.implied and self.params else "")


def describe(layer: Layer) -> str:
    """A layer in a few words, as the summary table shows it."""
    if isinstance(layer, Dense):
        return f"dense {layer.units}" + _act(layer.activation)
    if isinstance(layer, Conv):
        extra = f" stride {layer.stride}" if layer.stride != 1 else ""
        extra += " valid" if layer.padding == "valid" else ""
        return f"conv {layer.filters} {layer.kernel}x{layer.kernel}{extra}" + _act(layer.activation)
    if isinstance(layer, Pool):
        return f"{layer.mode} pool {layer.size}x{layer.size}"
    if isinstance(layer, Dropout):
        return f"dropout {layer.rate:g}"
    if isinstance(layer, Activation):
        return layer.function
    return {BatchNorm: "batch norm", Flatten: "flatten", GlobalAvgPool: "global average pool"}[
        type(layer)
    ]


def _act(activation: str) -> str:
    return "" if activation == "none" else f" {activation}"


def plan(layers: list[Layer] | tuple[Layer, ...]) -> list[Step]:
    """The network as built, layer by layer; DescriptionError says what is wrong and where
    ("layer 3 (conv 32 3x3 relu): ...")."""
    if len(layers) > MAX_LAYERS:
        raise DescriptionError(f"{len(layers)} layers; at most {MAX_LAYERS} can be built")
    steps: list[Step] = []
    shape: Shape = INPUT_SHAPE
    for index, layer in enumerate(layers):
        where = f"layer {index + 1} ({describe_safely(layer)})"
        _check_settings(layer, where)
        if isinstance(layer, Dense) and len(shape) == 3:
            steps.append(_flatten(shape))
            shape = steps[-1].output_shape
        follows_norm = index + 1 < len(layers) and isinstance(layers[index + 1], BatchNorm)
        steps.append(_step(layer, shape, where, follows_norm))
        shape = steps[-1].output_shape
    if len(shape) == 3:
        steps.append(_flatten(shape))
        shape = steps[-1].output_shape
    out = Dense(CLASSES, "none")
    steps.append(
        Step(
            out,
            shape,
            (CLASSES,),
            shape[0] * CLASSES + CLASSES,
            shape[0] * CLASSES,
            bias=True,
            implied=True,
        )
    )
    weights = sum(s.params for s in steps)
    if weights > MAX_WEIGHTS:
        raise DescriptionError(
            f"the network has {weights:,} weights; at most {MAX_WEIGHTS:,} "
            "can be trained here (fewer units or filters, or a pool earlier)"
        )
    return steps


def uneven_padding(step: Step) -> tuple[int, int, int, int] | None:
    """A "same" convolution with a stride or an even kernel pads more after than before
    (TensorFlow's rule, which Keras follows): (left, right, top, bottom) for a framework that
    must pad explicitly to match; None where the padding is even on both sides."""
    layer = step.layer
    if (
        not isinstance(layer, Conv)
        or layer.padding != "same"
        or (layer.stride == 1 and layer.kernel % 2 == 1)
    ):
        return None
    pads = []
    for size in step.input_shape[:2]:
        total = max((-(-size // layer.stride) - 1) * layer.stride + layer.kernel - size, 0)
        pads.append((total // 2, total - total // 2))
    (top, bottom), (left, right) = pads
    return left, right, top, bottom


def describe_safely(layer: Any) -> str:
    try:
        return describe(layer)
    except (AttributeError, KeyError, TypeError, ValueError):
        return type(layer).__name__


def totals(steps: list[Step]) -> tuple[int, int]:
    """Weights and multiply-adds per image of the whole network."""
    return sum(s.params for s in steps), sum(s.flops for s in steps)


def _flatten(shape: Shape) -> Step:
    return Step(Flatten(), shape, (math.prod(shape),), 0, 0, implied=True)


def _check_settings(layer: Layer, where: str) -> None:
    def need(ok: bool, text: str) -> None:
        if not ok:
            raise DescriptionError(f"{where}: {text}")

    if isinstance(layer, Dense):
        need(1 <= layer.units <= MAX_UNITS, f"units must be between 1 and {MAX_UNITS:,}")
        need(layer.activation in ACTIVATIONS, f"activation must be one of {', '.join(ACTIVATIONS)}")
    elif isinstance(layer, Conv):
        need(1 <= layer.filters <= MAX_UNITS, f"filters must be between 1 and {MAX_UNITS:,}")
        need(1 <= layer.kernel <= MAX_WINDOW, f"kernel must be between 1 and {MAX_WINDOW}")
        need(1 <= layer.stride <= MAX_WINDOW, f"stride must be between 1 and {MAX_WINDOW}")
        need(layer.padding in PADDINGS, f"padding must be one of {', '.join(PADDINGS)}")
        need(layer.activation in ACTIVATIONS, f"activation must be one of {', '.join(ACTIVATIONS)}")
    elif isinstance(layer, Pool):
        need(1 <= layer.size <= MAX_WINDOW, f"size must be between 1 and {MAX_WINDOW}")
        need(layer.mode in POOLS, f"mode must be one of {', '.join(POOLS)}")
    elif isinstance(layer, Dropout):
        need(0.0 <= layer.rate < 1.0, "rate must be at least 0 and below 1")
    elif isinstance(layer, Activation):
        need(layer.function in ACTIVATIONS, f"function must be one of {', '.join(ACTIVATIONS)}")


def _step(layer: Layer, shape: Shape, where: str, follows_norm: bool) -> Step:
    image = len(shape) == 3
    if isinstance(layer, (Conv, Pool, GlobalAvgPool)) and not image:
        raise DescriptionError(
            f"{where}: works on images, but the layer before it made the "
            "image flat (a flatten or dense layer)"
        )
    if isinstance(layer, Dense):
        bias = not (follows_norm and layer.activation == "none")
        n = shape[0] * layer.units
        return Step(layer, shape, (layer.units,), n + (layer.units if bias else 0), n, bias)
    if isinstance(layer, Conv):
        h, w, c = shape
        if layer.padding == "same":
            oh, ow = -(-h // layer.stride), -(-w // layer.stride)
        else:
            oh, ow = (h - layer.kernel) // layer.stride + 1, (w - layer.kernel) // layer.stride + 1
        if oh < 1 or ow < 1:
            raise DescriptionError(
                f"{where}: a {layer.kernel}x{layer.kernel} kernel without "
                f"padding does not fit the {h}x{w} image it gets"
            )
        bias = not (follows_norm and layer.activation == "none")
        n = layer.kernel * layer.kernel * c * layer.filters
        return Step(
            layer,
            shape,
            (oh, ow, layer.filters),
            n + (layer.filters if bias else 0),
            n * oh * ow,
            bias,
        )
    if isinstance(layer, Pool):
        h, w, c = shape
        if h // layer.size < 1 or w // layer.size < 1:
            raise DescriptionError(
                f"{where}: pooling the {h}x{w} image it gets by {layer.size} leaves less than 1x1"
            )
        return Step(layer, shape, (h // layer.size, w // layer.size, c), 0, 0)
    if isinstance(layer, GlobalAvgPool):
        return Step(layer, shape, (shape[2],), 0, 0)
    if isinstance(layer, Flatten):
        return Step(layer, shape, (math.prod(shape),), 0, 0)
    if isinstance(layer, BatchNorm):  # scale, shift, moving mean and variance per channel
        return Step(layer, shape, shape, 4 * shape[-1], 0)
    return Step(layer, shape, shape, 0, 0)  # dropout, activation
