"""`digitpad activations`: what every layer of a model gives for one picture (its shape and
statistics, and with --out a PNG of its maps), read as `predict` reads it."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from digitpad.cli.common import (
    add_json_arg,
    add_model_args,
    examples,
    fail,
    load_model,
    print_json,
)
from digitpad.images import FORMATS


def add_commands(sub) -> None:
    p = sub.add_parser(
        "activations",
        help="every layer's output for one picture: shapes, statistics, pictures of the maps",
        description="Read a picture as `digitpad predict` does and report what each layer "
        "of the network gave (a batch norm, activation or dropout is folded into the layer "
        "before it; the last entry is the output probabilities). An ONNX model gives only "
        "its output.",
        epilog=examples(
            "digitpad activations digit.png",
            "digitpad activations digit.png --model mine.keras --out maps/ --json",
        ),
    )
    add_model_args(p)
    add_json_arg(p, "the layers and their statistics as one JSON object")
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write a PNG of each layer into DIR (a tile per feature map, a strip of units "
        "for a dense layer), created if missing",
    )
    p.add_argument("image", type=Path, metavar="IMAGE", help=f"a picture ({', '.join(FORMATS)})")
    p.set_defaults(run=activations)


def activations(args: argparse.Namespace) -> int:
    from digitpad.images import read_image
    from digitpad.preprocess import to_mnist

    try:
        digit = to_mnist(read_image(args.image))
    except (OSError, ValueError) as err:
        return fail(str(err))
    if digit is None:
        return fail(f"{args.image}: no digit (blank image)")
    predictor = load_model(args)
    found = predictor.activations(digit)
    try:
        written = write_pictures(found, args.out) if args.out else []
    except OSError as err:
        return fail(f"{args.out}: cannot write the pictures ({err.strerror or err})")
    probs = found[-1].array
    record = {
        "path": str(args.image),
        "model": predictor.card.title,
        "backend": predictor.backend,
        "digit": int(probs.argmax()),
        "probabilities": [round(float(p), 6) for p in probs],
        "layers": [
            {
                "name": o.name,
                "kind": o.kind,
                "shape": list(o.shape),
                **{k: round(v, 6) for k, v in o.stats().items()},
            }
            for o in found
        ],
        "missing": predictor.activations_missing() or None,
        "pictures": [str(p) for p in written],
    }
    if args.json:
        print_json(record)
        return 0
    print(f"{args.image}: {record['digit']} ({probs.max():.1%}), read by {predictor.card.title}")
    print(f"{'layer':<44} {'shape':<10} {'min':>8} {'mean':>8} {'max':>8} {'zeros':>6}")
    for o, row in zip(found, record["layers"], strict=True):
        shape = "x".join(str(n) for n in o.shape)
        print(
            f"{o.name:<44} {shape:<10} {row['min']:>8.3f} {row['mean']:>8.3f} "
            f"{row['max']:>8.3f} {row['zeros']:>6.0%}"
        )
    if record["missing"]:
        print(f"only the output: {record['missing']}")
    for path in written:
        print(f"wrote {path}")
    return 0


def write_pictures(found, folder: Path) -> list[Path]:
    """One PNG per layer, named by its place and name (01-conv-32-3x3-batch-norm-relu.png)."""
    from PIL import Image

    from digitpad.layer_pictures import picture

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, output in enumerate(found, start=1):
        slug = re.sub(r"[^a-z0-9]+", "-", output.name.lower()).strip("-")
        path = folder / f"{number:02d}-{slug}.png"
        Image.fromarray(picture(output.array)).save(path)
        written.append(path)
    return written
