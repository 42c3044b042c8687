"""`digitpad predict` and `digitpad evaluate`: reading picture files, scoring on MNIST."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from digitpad.cli.common import (
    EXIT_BAD_INPUT,
    add_json_arg,
    add_model_args,
    examples,
    fail,
    load_models,
    print_json,
)
from digitpad.images import FORMATS

if TYPE_CHECKING:
    from digitpad.data import MnistData


def add_commands(sub) -> None:
    p = sub.add_parser(
        "predict",
        help="read digits from image files",
        epilog=examples(
            "digitpad predict digit.png --json",
            "digitpad predict --number --model mine.pt year.jpg",
            "digitpad predict --model a.pt --model b.keras digit.png   # side by side",
        ),
    )
    add_model_args(p, several=True)
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
        epilog=examples(
            "digitpad evaluate --backend keras --json",
            "digitpad evaluate --model a.pt --model b.keras   # side by side",
        ),
    )
    add_model_args(p, several=True)
    p.add_argument(
        "--data", type=Path, metavar="DIR", help="MNIST folder (default: the bundled files)"
    )
    add_json_arg(p, "the accuracy and the confusion matrix as one JSON object")
    p.set_defaults(run=evaluate)


def predict(args: argparse.Namespace) -> int:
    from digitpad import comparison
    from digitpad.images import read_image
    from digitpad.preprocess import to_mnist

    if args.number and len(args.model or []) > 1:
        return fail("--number reads with one model: give --model once")
    predictors = load_models(args)
    if args.number:
        return predict_numbers(predictors[0], args)
    show = show_answer if len(predictors) == 1 else show_answers
    status = 0
    for path in args.images:
        try:
            digit = to_mnist(read_image(path))
        except (OSError, ValueError) as err:
            fail(str(err))
            status = EXIT_BAD_INPUT
            continue
        show(path, predictors, [comparison.read(p, digit) for p in predictors], args.json)
    return status


def show_answer(path: Path, predictors: list, answers: list, as_json: bool) -> None:
    """One model's answer: the digit, how sure, the ten probabilities."""
    [answer] = answers
    probs = answer.probabilities
    record = {
        "path": str(path),
        **{k: v for k, v in answer.as_json().items() if k != "ms"},
        "probabilities": None if probs is None else [round(float(p), 4) for p in probs],
    }
    if as_json:
        print_json(record)
    elif probs is None:
        print(f"{path}: no digit (blank image)")
    else:
        print(f"{path}: {record['digit']} ({record['confidence']:.1%})")


def show_answers(path: Path, predictors: list, answers: list, as_json: bool) -> None:
    """Several models' answers to the same picture, and whether they agree."""
    from digitpad.comparison import outliers

    agree = not outliers([a.digit for a in answers])
    if as_json:
        print_json(
            {
                "path": str(path),
                "agree": agree,
                "models": [
                    {"model": str(p.path), "title": p.card.title, **a.as_json()}
                    for p, a in zip(predictors, answers, strict=True)
                ],
            }
        )
    elif answers[0].digit is None:
        print(f"{path}: no digit (blank image)")
    else:
        said = "; ".join(
            f"{name} {a.digit} ({a.confidence:.1%}, {a.ms:.1f} ms)"
            for name, a in zip(names(predictors), answers, strict=True)
        )
        print(f"{path}: {said}{'' if agree else '  <- the models disagree'}")


def names(predictors: list) -> list[str]:
    """What each model is called in plain output: its title, or its file name where two
    models share a title."""
    titles = [p.card.title for p in predictors]
    return [
        t if titles.count(t) == 1 else p.path.name for t, p in zip(titles, predictors, strict=True)
    ]


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

    predictors = load_models(args)
    if len(predictors) > 1:
        return evaluate_side_by_side(predictors, data, args.json)
    [predictor] = predictors
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


def evaluate_side_by_side(predictors: list, data: MnistData, as_json: bool) -> int:
    """`evaluate --model A --model B ...`: the accuracies side by side, and on how many test
    images the models do not all give the same digit."""
    from digitpad.comparison import evaluate_all

    side = evaluate_all(predictors, data.test_x, data.test_y)
    if as_json:
        print_json(
            {
                "n": side.n,
                "disagree": side.disagree,
                "all_wrong": side.all_wrong,
                "models": [
                    {"model": str(p.path), "title": p.card.title, **e.as_json()}
                    for p, e in zip(predictors, side.evaluations, strict=True)
                ],
            }
        )
        return 0
    shown = names(predictors)
    wide = max(len(n) for n in shown)
    print(f"{len(predictors)} models on {side.n:,} test images ({data.source})")
    for name, e in zip(shown, side.evaluations, strict=True):
        print(f"  {name:<{wide}}  {e.accuracy:.2%}")
    share = side.disagree / side.n
    print(
        f"they disagree on {side.disagree:,} images ({share:.2%}); "
        f"all of them are wrong on {side.all_wrong:,}"
    )
    return 0
