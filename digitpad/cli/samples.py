"""`digitpad samples ...`: the user's labelled digits (list, add, export, import, clear)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digitpad.cli.common import add_json_arg, examples, fail, print_json


def add_commands(sub) -> None:
    p = sub.add_parser(
        "samples",
        help="your labelled digits: list, add, export, import, clear",
        description="The digits you labelled (in the window, by pressing "
        "the digit's key after drawing it, or with `samples add`), which "
        "`digitpad personalise` fine-tunes a model on.",
        epilog=examples(
            "digitpad samples list",
            "digitpad samples add seven.png --label 7",
            "digitpad samples clear --yes",
        ),
    )
    actions = p.add_subparsers(
        dest="action", required=True, metavar="ACTION", help="what to do with them"
    )
    a = actions.add_parser(
        "list",
        help="how many samples of each digit",
        epilog=examples("digitpad samples list --json"),
    )
    add_json_arg(a, "the folder and the count of each digit as one JSON object")
    a = actions.add_parser(
        "add",
        help="add pictures of one digit as samples",
        epilog=examples("digitpad samples add seven.png other7.jpg --label 7"),
    )
    a.add_argument(
        "images",
        type=Path,
        nargs="+",
        metavar="IMAGE",
        help="a picture of the digit (read as `digitpad predict` reads it)",
    )
    a.add_argument(
        "--label",
        type=int,
        required=True,
        choices=range(10),
        metavar="0-9",
        help="the digit the pictures show",
    )
    add_json_arg(a, "one JSON object per picture added, one per line,")
    a = actions.add_parser(
        "export",
        help="all samples into one zip file",
        epilog=examples("digitpad samples export my-digits.zip"),
    )
    a.add_argument("file", type=Path, help="the zip file to write")
    add_json_arg(a)
    a = actions.add_parser(
        "import",
        help="add the samples of an exported zip file",
        epilog=examples("digitpad samples import my-digits.zip"),
    )
    a.add_argument("file", type=Path, help="a zip file written by `samples export`")
    add_json_arg(a)
    a = actions.add_parser(
        "clear",
        help="delete every sample (asks first)",
        epilog=examples("digitpad samples clear", "digitpad samples clear --yes --json"),
    )
    a.add_argument(
        "--yes",
        action="store_true",
        help="delete without asking (needed when stdin is not a terminal)",
    )
    add_json_arg(a)
    p.set_defaults(run=samples)


def samples(args: argparse.Namespace) -> int:
    from digitpad.errors import DatasetError

    try:
        return ACTIONS[args.action](args)
    except (DatasetError, OSError) as err:
        return fail(str(err))


def _list(args: argparse.Namespace) -> int:
    from digitpad import samples as store

    found = store.load()
    _skipped(found.skipped)
    counts = found.counts()
    if args.json:
        print_json({"folder": str(store.samples_dir()), "total": len(found), "counts": counts})
    else:
        print(f"{len(found)} samples in {store.samples_dir()}")
        print("  ".join(f"{digit}: {n}" for digit, n in counts.items()))
    return 0


def _add(args: argparse.Namespace) -> int:
    from digitpad import samples as store
    from digitpad.images import read_image
    from digitpad.preprocess import to_mnist

    status = 0
    for path in args.images:
        try:
            digit = to_mnist(read_image(path))
        except (OSError, ValueError) as err:
            status = fail(str(err))
            continue
        if digit is None:
            status = fail(f"{path}: no digit found; not added")
            continue
        sample = store.add(digit, args.label)
        if args.json:
            print_json({"path": str(path), "label": args.label, "sample": str(sample)})
        else:
            print(f"added {path} as a {args.label}")
    return status


def _export(args: argparse.Namespace) -> int:
    from digitpad import samples as store

    count = store.export(args.file)
    _say(
        args,
        {"path": str(args.file), "exported": count},
        f"exported {count} samples to {args.file}",
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    from digitpad import samples as store

    added, skipped = store.import_file(args.file)
    _skipped(skipped)
    _say(
        args,
        {"path": str(args.file), "imported": added, "skipped": skipped},
        f"imported {added} samples from {args.file}",
    )
    return 0


def _clear(args: argparse.Namespace) -> int:
    """Delete every sample, once the user said so: on a terminal by answering y, otherwise
    (a script, a pipe) only with --yes; nothing is deleted without one of them."""
    from digitpad import samples as store

    count = len(store.files())
    if count and not args.yes:
        if not sys.stdin.isatty():
            return fail(
                f"samples clear would delete {count} samples; stdin is not a "
                "terminal to ask on, so add --yes to delete them"
            )
        print(
            f"Delete all {count} samples in {store.samples_dir()}? [y/N] ",
            end="",
            file=sys.stderr,
            flush=True,
        )
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            _say(args, {"deleted": 0, "kept": count}, f"kept {count} samples")
            return 0
    deleted = store.clear() if count else 0
    _say(args, {"deleted": deleted, "kept": 0}, f"deleted {deleted} samples")
    return 0


ACTIONS = {"list": _list, "add": _add, "export": _export, "import": _import, "clear": _clear}


def _say(args: argparse.Namespace, record: dict, text: str) -> None:
    """The outcome, as one JSON object with --json or as a line of text."""
    if args.json:
        print_json(record)
    else:
        print(text)


def _skipped(reasons: list[str]) -> None:
    for reason in reasons:
        print(f"skipped {reason}", file=sys.stderr)
