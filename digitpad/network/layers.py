"""The layers a network description is made of: small frozen dataclasses with their settings,
framework-neutral and free of Qt, turned into PyTorch or Keras layers by one function per backend.

The input (a 28x28 gray image, standardised like MNIST) and the 10-way output layer are implied;
a description lists what lies between. Each layer is stored as `{"layer": KIND, ...settings}`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "none")
PADDINGS = ("same", "valid")
POOLS = ("max", "avg")


class DescriptionError(ValueError):
    """A network description that cannot be built; the message says what and where."""


@dataclass(frozen=True)
class Dense:
    units: int
    activation: str = "relu"
    kind: ClassVar[str] = "dense"


@dataclass(frozen=True)
class Dropout:
    rate: float
    kind: ClassVar[str] = "dropout"


@dataclass(frozen=True)
class Conv:
    filters: int
    kernel: int = 3
    stride: int = 1
    padding: str = "same"
    activation: str = "relu"
    kind: ClassVar[str] = "conv"


@dataclass(frozen=True)
class Pool:
    size: int = 2
    mode: str = "max"
    kind: ClassVar[str] = "pool"


@dataclass(frozen=True)
class BatchNorm:
    kind: ClassVar[str] = "batchnorm"


@dataclass(frozen=True)
class Activation:
    """An activation on its own, e.g. after a batch norm (conv -> batch norm -> relu)."""

    function: str = "relu"
    kind: ClassVar[str] = "activation"


@dataclass(frozen=True)
class Flatten:
    kind: ClassVar[str] = "flatten"


@dataclass(frozen=True)
class GlobalAvgPool:
    kind: ClassVar[str] = "globalavgpool"


Layer = Dense | Dropout | Conv | Pool | BatchNorm | Activation | Flatten | GlobalAvgPool
KINDS: dict[str, type] = {
    cls.kind: cls
    for cls in (Dense, Dropout, Conv, Pool, BatchNorm, Activation, Flatten, GlobalAvgPool)
}


def to_dict(layer: Layer) -> dict[str, Any]:
    return {"layer": layer.kind, **asdict(layer)}


def from_dict(raw: Any, where: str) -> Layer:
    """One layer from its stored form; DescriptionError names `where` it is and what is wrong.
    Settings are type-checked here; their ranges are checked with the whole network."""
    if not isinstance(raw, dict) or not isinstance(raw.get("layer"), str):
        raise DescriptionError(f'{where}: not a layer (an object with a "layer" kind)')
    cls = KINDS.get(raw["layer"])
    if cls is None:
        raise DescriptionError(
            f"{where}: unknown layer {raw['layer']!r}; layers are {', '.join(KINDS)}"
        )
    settings = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(settings) - {"layer"})
    if unknown:
        raise DescriptionError(f"{where}: {cls.kind} has no setting {unknown[0]!r}")
    values = {}
    for name, value in raw.items():
        if name == "layer":
            continue
        wanted = settings[name].type
        if not _fits(value, wanted):
            raise DescriptionError(
                f"{where}: {cls.kind} {name} must be {_words(wanted)}, not {value!r}"
            )
        values[name] = float(value) if wanted == "float" else value
    try:
        return cls(**values)
    except TypeError as err:  # a required setting is missing
        missing = next(f.name for f in fields(cls) if f.name not in values)
        raise DescriptionError(f"{where}: {cls.kind} needs its {missing}") from err


def _fits(value: Any, wanted: str) -> bool:
    if isinstance(value, bool):
        return False
    if wanted == "int":
        return isinstance(value, int)
    if wanted == "float":
        return isinstance(value, (int, float))
    return isinstance(value, str)


def _words(wanted: str) -> str:
    return {"int": "a whole number", "float": "a number"}.get(wanted, "a word")
