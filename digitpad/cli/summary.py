"""`digitpad summary`: the layers of a model file or of a description, their output shapes,
weights and multiply-adds, and the framework's own words for a model file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from digitpad.cli.common import add_json_arg, examples, fail
from digitpad.cli.layers import add_layers_arg, layers_from


def add_commands(sub) -> None:
    p = sub.add_parser(
        "summary",
        help="a network's layers, output shapes, weights and multiply-adds per image",
        epilog=examples(
            "digitpad summary mine.pt",
            'digitpad summary --layers "conv:16:3,pool:2,dense:64" --json',
        ),
    )
    p.add_argument("model", nargs="?", type=Path, help="a model file (.pt or .keras)")
    add_layers_arg(p, required=False)
    add_json_arg(p, "the table as one JSON object")
    p.set_defaults(run=summary)


def summary(args: argparse.Namespace) -> int:
    from digitpad.network import summary as table

    if (args.model is None) == (args.layers is None):
        return fail("give either a model file or --layers SPEC (not both)")
    framework = ""
    if args.model is not None:
        from digitpad import network
        from digitpad.errors import ModelFileError
        from digitpad.predictors import load_any

        try:
            predictor = load_any(args.model)
        except (ModelFileError, ValueError) as err:
            return fail(str(err))
        if not predictor.card.network:
            return fail(
                f"{args.model}: its network is not one digitpad describes (an ONNX "
                "file, or a Keras network digitpad did not build)"
            )
        layers = network.from_json(predictor.card.network)
        framework = predictor.framework_summary()
    else:
        layers = layers_from(args.layers)
        if isinstance(layers, int):
            return layers
    if args.json:
        json.dump(table.rows(layers), sys.stdout)
        print()
        return 0
    print(table.as_text(layers))
    if framework:
        print(f"\n{framework}")
    return 0
