"""`digitpad predict` and `digitpad evaluate`: reading picture files, scoring on MNIST."""

from __future__ import annotations

import argparse
from pathlib import Path

from digitpad.cli.common import (
    EXIT_BAD_INPUT,
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
        "predict",
        help="read digits from image files",
        epilog=examples(
            "digitpad predict digit.png --json",
            "digitpad predict --number --model mine.pt year.jpg",
        ),
    )
    add_model_args(p)
    add_json_arg(p, "one JSON object per picture, one per line,")
    p.add_argument(
        "--number",
        action="store_true",
        help="each picture holds a whole number: find and read every digit",
    )
    p.add_argument(
        "images",
        nargs="+",
        type=Path,
        metavar="IMAGE",
        help=f"a picture file ({', '.join(FORMATS)})",
    )
    p.set_defaults(run=predict)

    p = sub.add_parser(
        "evaluate",
        help="accuracy and confusion matrix on the MNIST test set",
        epilog=examples("digitpad evaluate --backend keras --json"),
    )
    add_model_args(p)
    p.add_argument(
        "--data", type=Path, metavar="DIR", help="MNIST folder (default: the bundled files)"
    )
    add_json_arg(p, "the accuracy and the confusion matrix as one JSON object")
    p.set_defaults(run=evaluate)


def predict(args: argparse.Namespace) -> int:
    from digitpad.images import read_image
    from digitpad.predictors import predict_one
    from digitpad.preprocess import to_mnist

    predictor = load_model(args)
    if args.number:
        return predict_numbers(predictor, args)
    status = 0
    for path in args.images:
        try:
            digit = to_mnist(read_image(path))
        except (OSError, ValueError) as err:
            fail(str(err))
            status = EXIT_BAD_INPUT
            continue
        probs = predict_one(predictor, digit)
        record = {
            "path": str(path),
            "digit": None if probs is None else int(probs.argmax()),
            "confidence": None if probs is None else round(float(probs.max()), 4),
            "probabilities": None if probs is None else [round(float(p), 4) for p in probs],
        }
        if args.json:
            print_json(record)
        elif probs is None:
            print(f"{path}: no digit (blank image)")
        else:
            print(f"{path}: {record['digit']} ({record['confidence']:.1%})")
    return status


def predict_numbers(predictor, args: argparse.Namespace) -> int:
    """`predict --number`: every digit of each picture, left to right, read in one batch."""
    from digitpad import numbers
    from digitpad.images import read_image

    status = 0
    for path in args.images:
        try:
            found = numbers.read_picture(predictor, read_image(path))
        except (OSError, ValueError) as err:
            fail(str(err))
            status = EXIT_BAD_INPUT
            continue
        text = numbers.number_text(found)
        if args.json:
            print_json({"path": str(path), "number": text, "digits": [d.as_json() for d in found]})
        elif text is None:
            print(f"{path}: no digits found")
        else:
            sure = ", ".join(f"{d.digit} {d.confidence:.0%}" for d in found)
            print(f"{path}: {text} ({sure})")
    return status


def evaluate(args: argparse.Namespace) -> int:
    from digitpad.data import DatasetError, load_mnist

    try:
        data = load_mnist(args.data)
    except DatasetError as err:
        return fail(str(err))
    if not len(data.test_y):
        return fail(f"{args.data or 'the bundled data'}: the test set holds no images")
    from digitpad.evaluation import evaluate as score

    predictor = load_model(args)
    report = score(predictor, data.test_x, data.test_y).as_json()
    if args.json:
        print_json(report)
        return 0
    print(f"{predictor.card.title} on {report['n']:,} test images ({data.source})")
    print(f"accuracy: {report['accuracy']:.2%}")
    print(
        "per class: "
        + "  ".join(f"{d}:{a:.1%}" for d, a in enumerate(report["per_class"]) if a is not None)
    )
    print("confusion (rows: true digit, columns: predicted):")
    print("     " + "".join(f"{d:>6}" for d in range(10)))
    for d, row in enumerate(report["confusion"]):
        print(f"{d:>5}" + "".join(f"{v:>6}" for v in row))
    return 0
