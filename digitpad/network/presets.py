"""Named networks to start from: descriptions, not code paths. The first two are the MNIST
tutorial's; "cnn" is the network of the bundled CNN models; "fast-cnn" is the default of a new
training run, chosen by measurement (benchmarks/training.py: the least time to 99% MNIST test
from the panel's defaults)."""

from __future__ import annotations

from dataclasses import dataclass

from digitpad.network.layers import DescriptionError, Layer
from digitpad.network.plan import plan
from digitpad.network.spec import parse


@dataclass(frozen=True)
class Preset:
    name: str  # what files, settings and the CLI's --arch say
    short: str  # what a model of it is called: "PyTorch CNN"
    label: str  # what a person reads in the chooser
    spec: str  # the description in its text form (digitpad/network/spec.py)

    @property
    def layers(self) -> tuple[Layer, ...]:
        return tuple(parse(self.spec))


_CONV_BN = "conv:{0}:3:none,bn,relu"
PRESETS = {
    p.name: p
    for p in (
        Preset("mlp", "MLP", "Tutorial MLP (784-128-64-10)", "dense:128,dense:64"),
        Preset(
            "mlp-dropout",
            "MLP with dropout",
            "MLP with dropout",
            "dense:256,dropout:0.2,dense:128,dropout:0.2",
        ),
        Preset(
            "cnn",
            "CNN",
            "Today's CNN (the bundled one)",
            ",".join(
                [
                    _CONV_BN.format(32),
                    _CONV_BN.format(32),
                    "pool:2",
                    _CONV_BN.format(64),
                    _CONV_BN.format(64),
                    "pool:2",
                    "flatten,dense:128:none,bn,relu,dropout:0.3",
                ]
            ),
        ),
        # Today's CNN without its last convolution: 11.5 M multiply-adds instead of 18.7 M; the
        # candidate that reached 99.0% first (benchmarks/fast_cnn.py, results.md).
        Preset(
            "fast-cnn",
            "Fast CNN",
            "Fast CNN",
            ",".join(
                [
                    _CONV_BN.format(32),
                    _CONV_BN.format(32),
                    "pool:2",
                    _CONV_BN.format(64),
                    "pool:2,flatten,dense:128:none,bn,relu,dropout:0.3",
                ]
            ),
        ),
    )
}
DEFAULT = "fast-cnn"  # the network of a new training run (panel and CLI)
CUSTOM = "custom"  # the name of a description that is no preset


def preset(name: str) -> Preset:
    if name not in PRESETS:
        raise DescriptionError(
            f"no network called {name!r}; the named ones are {', '.join(PRESETS)}"
        )
    return PRESETS[name]


def short_name(name: str) -> str:
    """What a model of the network `name` is called after its backend ("PyTorch CNN")."""
    return PRESETS[name].short if name in PRESETS else f"{name} network"


def name_of(layers: tuple[Layer, ...] | list[Layer]) -> str:
    """The preset a description is, else "custom": a file or card names its network by it."""
    built = same_as(layers)
    return next((p.name for p in PRESETS.values() if same_as(p.layers) == built), CUSTOM)


def same_as(layers: tuple[Layer, ...] | list[Layer]) -> list[Layer]:
    """What decides the network a description builds: its plan's layers (a flatten written out
    and one implied by a dense layer are the same network)."""
    return [step.layer for step in plan(layers)]
