"""A network described as data: an ordered list of layers with their settings, validated once,
saved in model files and cards, and built layer for layer the same by every backend.

    layers = network.parse("conv:32:3,pool:2,dense:128")     # or network.preset("cnn").layers
    steps = network.plan(layers)                              # shapes, weights, multiply-adds
    stored = network.to_json(layers); network.from_json(stored) == layers
"""

from __future__ import annotations

from typing import Any

from digitpad.network.layers import DescriptionError, Layer, from_dict, to_dict
from digitpad.network.plan import Step, plan, totals
from digitpad.network.presets import CUSTOM, DEFAULT, PRESETS, name_of, preset
from digitpad.network.spec import format_layers, parse

__all__ = [
    "CUSTOM",
    "DEFAULT",
    "PRESETS",
    "DescriptionError",
    "Layer",
    "Step",
    "format_layers",
    "from_json",
    "name_of",
    "parse",
    "plan",
    "preset",
    "to_json",
    "totals",
]


def to_json(layers: tuple[Layer, ...] | list[Layer]) -> list[dict[str, Any]]:
    return [to_dict(layer) for layer in layers]


def from_json(raw: Any) -> tuple[Layer, ...]:
    """A stored description, checked as a whole (plan) before anything builds it."""
    if not isinstance(raw, list):
        raise DescriptionError("a network description is a list of layers")
    layers = tuple(from_dict(item, f"layer {n + 1}") for n, item in enumerate(raw))
    plan(layers)
    return layers
