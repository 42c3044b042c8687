"""The short text form of a description, for the command line and for people:

    conv:32:3,pool:2,conv:64:3,pool:2,flatten,dense:128,dropout:0.3
    dense:256,dropout:0.2,dense:64

Layers are separated by commas, a layer's settings by colons:

    dense:UNITS[:ACTIVATION]                 dense:128, dense:64:tanh
    conv:FILTERS[:KERNEL[:STRIDE]][:PADDING][:ACTIVATION]
                                             conv:32 (3x3, stride 1, same, relu), conv:16:5:2:valid
    pool:SIZE[:max|avg]  (maxpool:SIZE, avgpool:SIZE)   pool:2, avgpool:2
    dropout:RATE                             dropout:0.3
    batchnorm (bn), flatten, gap (global average pool)
    relu, tanh, sigmoid, gelu                an activation on its own (after a batch norm)

ACTIVATION is relu (the default), tanh, sigmoid, gelu or none; PADDING is same (the default) or
valid. The input and the 10-way output layer are implied.
"""

from __future__ import annotations

from digitpad.network.layers import (
    ACTIVATIONS,
    PADDINGS,
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

ALIASES = {"bn": "batchnorm", "gap": "globalavgpool", "maxpool": "pool", "avgpool": "pool"}


def parse(text: str) -> list[Layer]:
    """Layers from the text form; DescriptionError names the piece that is wrong."""
    pieces = [p.strip() for p in text.split(",")]
    if not text.strip():
        raise DescriptionError('no layers given (e.g. "dense:128,dense:64")')
    return [_layer(piece, n + 1) for n, piece in enumerate(pieces)]


def _layer(piece: str, number: int) -> Layer:
    where = f"layer {number} ({piece!r})" if piece else f"layer {number}"
    if not piece:
        raise DescriptionError(f"{where}: empty (two commas in a row?)")
    word, *args = [a.strip().lower() for a in piece.split(":")]
    kind = ALIASES.get(word, word)
    try:
        if kind == "dense":
            units, *rest = args or [""]
            return Dense(_int(units, "units"), *_words(rest, ACTIVATIONS, 1))
        if kind == "conv":
            numbers = [a for a in args if a.isdigit()]
            words = [a for a in args if not a.isdigit()]
            if not numbers or len(numbers) > 3 or args[: len(numbers)] != numbers:
                raise ValueError("conv:FILTERS[:KERNEL[:STRIDE]][:PADDING][:ACTIVATION]")
            filters, kernel, stride = [int(n) for n in numbers] + [3, 1][len(numbers) - 1 :]
            padding = next((w for w in words if w in PADDINGS), "same")
            activation = [w for w in words if w not in PADDINGS]
            if len(activation) > 1 or (activation and activation[0] not in ACTIVATIONS):
                raise ValueError(f"unknown setting {activation[-1]!r}")
            return Conv(filters, kernel, stride, padding, *(activation or ["relu"]))
        if kind == "pool":
            mode = "avg" if word == "avgpool" else "max"
            size, *rest = args or ["2"]
            return Pool(_int(size, "size"), *(_words(rest, ("max", "avg"), 1) or [mode]))
        if kind == "dropout" and len(args) == 1:
            return Dropout(float(args[0]))
        if kind in ACTIVATIONS and not args:
            return Activation(kind)
        if kind == "activation" and len(args) == 1 and args[0] in ACTIVATIONS:
            return Activation(args[0])
        simple = {"batchnorm": BatchNorm, "flatten": Flatten, "globalavgpool": GlobalAvgPool}
        if kind in simple and not args:
            return simple[kind]()
    except ValueError as err:
        raise DescriptionError(f"{where}: {err}") from err
    raise DescriptionError(f"{where}: not a layer this form knows (see `digitpad train --help`)")


def _int(text: str, name: str) -> int:
    if not text.isdigit():
        raise ValueError(f"{name} must be a whole number, not {text!r}")
    return int(text)


def _words(args: list[str], allowed: tuple[str, ...], at_most: int) -> list[str]:
    if len(args) > at_most or any(a not in allowed for a in args):
        raise ValueError(f"expected one of {', '.join(allowed)}, got {':'.join(args)!r}")
    return args


def format_layers(layers: list[Layer] | tuple[Layer, ...]) -> str:
    """The text form of a description; `parse(format_layers(x)) == x`."""
    return ",".join(_token(layer) for layer in layers)


def _token(layer: Layer) -> str:
    if isinstance(layer, Dense):
        return f"dense:{layer.units}" + (
            "" if layer.activation == "relu" else f":{layer.activation}"
        )
    if isinstance(layer, Conv):
        token = f"conv:{layer.filters}:{layer.kernel}"
        token += f":{layer.stride}" if layer.stride != 1 else ""
        token += ":valid" if layer.padding == "valid" else ""
        return token + ("" if layer.activation == "relu" else f":{layer.activation}")
    if isinstance(layer, Pool):
        return f"{layer.mode}pool:{layer.size}"
    if isinstance(layer, Dropout):
        return f"dropout:{layer.rate:g}"
    if isinstance(layer, Activation):
        return layer.function if layer.function != "none" else "activation:none"
    return {BatchNorm: "batchnorm", Flatten: "flatten", GlobalAvgPool: "gap"}[type(layer)]
