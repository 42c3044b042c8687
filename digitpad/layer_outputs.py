"""Every layer's output for one image, as the backends give it and the inside view, the CLI and
the tests read it: which built layers (network.plan's rows) form one shown layer, and where each
cell of a feature map looks in the 28x28 input. Framework-free and Qt-free.

A batch norm, an activation or a dropout is folded into the layer it follows (conv -> batch norm
-> relu is one layer whose output is the relu's), so a person sees the layers that compute; the
last entry is the 10-way output as probabilities, what `Predictor.predict` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from digitpad.network.layers import Activation, BatchNorm, Conv, Dropout, Layer, Pool
from digitpad.network.plan import Step, describe, plan, uneven_padding

FOLDED = (BatchNorm, Activation, Dropout)  # shown as part of the layer before them
OUTPUT = "output"


@dataclass(frozen=True)
class Group:
    """One shown layer: the plan rows it covers and what its output is."""

    name: str  # "conv 32 3x3 + batch norm + relu"
    kind: str  # the first row's kind ("conv", "pool", "dense"...) or "output"
    steps: tuple[int, ...]  # indices into network.plan(layers)
    shape: tuple[int, ...]  # its output: (height, width, channels) or (features,)
    # A map cell (i, j) is centred at input pixel coordinates (start + i * jump) with a pixel
    # j spanning [j, j + 1]; None once the image is flat.
    footprint: tuple[float, float] | None
    relu: bool  # it ends in a ReLU: its zeros are units switched off


@dataclass(frozen=True)
class LayerOutput:
    """What one shown layer gave for one image: `array` has `shape`, float32."""

    name: str
    kind: str
    shape: tuple[int, ...]
    array: np.ndarray
    steps: tuple[int, ...] = ()
    footprint: tuple[float, float] | None = None
    relu: bool = False

    @property
    def maps(self) -> bool:
        """Feature maps (an image with channels), not a flat vector."""
        return len(self.shape) == 3

    def stats(self) -> dict[str, float]:
        """min, mean, max, and the share of exact zeros (after a ReLU: units switched off)."""
        a = self.array
        return {
            "min": float(a.min()),
            "mean": float(a.mean()),
            "max": float(a.max()),
            "zeros": float(np.count_nonzero(a == 0) / max(a.size, 1)),
        }


@cache
def groups(layers: tuple[Layer, ...]) -> tuple[Group, ...]:
    """The shown layers of a description, in order; the last is the output (worked out once
    per description: the live view asks on every reading)."""
    steps = plan(layers)
    members: list[list[int]] = []
    for i, step in enumerate(steps):
        if isinstance(step.layer, FOLDED) and members:
            members[-1].append(i)
        else:
            members.append([i])
    found, footprint = [], (0.5, 1.0)
    for rows in members:
        for i in rows:
            footprint = _footprint(steps[i], footprint)
        first, last = steps[rows[0]], steps[rows[-1]]
        name = " + ".join([first.name, *(describe(steps[i].layer) for i in rows[1:])])
        output = rows[-1] == len(steps) - 1
        found.append(
            Group(
                name="output (probabilities)" if output else name,
                kind=OUTPUT if output else first.layer.kind,
                steps=tuple(rows),
                shape=last.output_shape,
                footprint=footprint if len(last.output_shape) == 3 else None,
                relu=_ends_in_relu([steps[i] for i in rows]),
            )
        )
    return tuple(found)


def _ends_in_relu(rows: list[Step]) -> bool:
    for step in reversed(rows):
        if isinstance(step.layer, Dropout):
            continue
        function = getattr(step.layer, "activation", getattr(step.layer, "function", None))
        return function == "relu"
    return False


def _footprint(step: Step, at: tuple[float, float] | None) -> tuple[float, float] | None:
    """Where the output's cells sit in the input after `step`: a window of `size` moved by
    `stride` from `before` pixels of padding shifts the centres and widens their spacing."""
    if at is None or len(step.output_shape) != 3:
        return None
    layer = step.layer
    if isinstance(layer, Conv):
        size, stride = layer.kernel, layer.stride
        pads = uneven_padding(step)
        before = pads[2] if pads else (layer.kernel // 2 if layer.padding == "same" else 0)
    elif isinstance(layer, Pool):
        size, stride, before = layer.size, layer.size, 0
    else:
        return at
    start, jump = at
    return start + jump * ((size - 1) / 2 - before), jump * stride


def collect(found: tuple[Group, ...], arrays: list[np.ndarray]) -> list[LayerOutput]:
    """The backend's arrays (one per group, its last row's output for one image) as outputs."""
    return [
        LayerOutput(
            g.name,
            g.kind,
            g.shape,
            np.asarray(a, np.float32).reshape(g.shape),
            g.steps,
            g.footprint,
            g.relu,
        )
        for g, a in zip(found, arrays, strict=True)
    ]


def output_only(probabilities: np.ndarray) -> list[LayerOutput]:
    """What a backend that runs the network as one sealed graph can give: the probabilities."""
    probs = np.asarray(probabilities, np.float32).reshape(-1)
    return [LayerOutput("output (probabilities)", OUTPUT, probs.shape, probs)]
