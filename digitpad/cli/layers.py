"""The `--layers` option shared by `train` and `summary`: a preset's name, a description in
its text form, or a JSON file holding one (a model card's "network" list)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from digitpad.cli.common import fail
from digitpad.network.presets import PRESETS

HELP = (
    "the network: a preset (" + ", ".join(PRESETS) + "), layers in the short form, "
    'e.g. "conv:32:3,pool:2,dense:128,dropout:0.3" (dense:UNITS[:ACT], '
    "conv:FILTERS[:KERNEL[:STRIDE]][:same|valid][:ACT], pool:SIZE[:max|avg], dropout:RATE, "
    "bn, flatten, gap, relu|tanh|sigmoid|gelu; ACT is relu, tanh, sigmoid, gelu or none), "
    'or a .json file holding a list of layers (a model card\'s "network")'
)


def add_layers_arg(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--layers", metavar="SPEC", required=required, help=HELP)


def layers_from(text: str):
    """The layers `--layers` names, or the exit status after a one-line message."""
    from digitpad import network

    try:
        if text in network.PRESETS:
            return network.preset(text).layers
        if text.endswith(".json"):
            path = Path(text)
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                return fail(f"{path}: not a readable JSON file ({err})")
            raw = raw.get("network") if isinstance(raw, dict) else raw  # a card, or its list
            return network.from_json(raw)
        layers = tuple(network.parse(text))
        network.plan(layers)
        return layers
    except network.DescriptionError as err:
        return fail(f"--layers: {err}")
