"""`digitpad samples ...` (the user's labelled digits) and `digitpad personalise` (a model
fine-tuned on them)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from digitpad import backends
from digitpad.cli.common import fail
from digitpad.cli.training import EXIT_CANCELLED, TerminalProgress


def add_commands(sub) -> None:
    p = sub.add_parser("samples", help="your labelled digits: list, add, export, import, clear")
    actions = p.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="how many samples of each digit (JSON)")
    add = actions.add_parser("add", help="add pictures of one digit as samples")
    add.add_argument("images", type=Path, nargs="+")
    add.add_argument("--label", type=int, required=True, choices=range(10), metavar="0-9")
    out = actions.add_parser("export", help="all samples into one zip file")
    out.add_argument("file", type=Path)
    into = actions.add_parser("import", help="add the samples of an exported zip file")
    into.add_argument("file", type=Path)
    actions.add_parser("clear", help="delete every sample")
    p.set_defaults(run=samples)

    p = sub.add_parser("personalise", help="fine-tune a copy of a model on your samples")
    p.add_argument("--backend", choices=backends.training_backends(), default="torch")
    p.add_argument("--model", type=Path, help="base model (default: the bundled CNN)")
    p.add_argument("--samples", type=Path,
                   help="samples folder or exported zip (default: your own samples)")
    p.add_argument("--out", type=Path, help="model file (default: a new file in the user folder)")
    p.add_argument("--device", default="cpu")
    p.set_defaults(run=personalise)


def samples(args: argparse.Namespace) -> int:
    from digitpad import samples as store
    from digitpad.errors import DatasetError
    from digitpad.images import read_image
    from digitpad.preprocess import to_mnist

    try:
        if args.action == "list":
            found = store.load()
            for reason in found.skipped:
                print(f"skipped {reason}", file=sys.stderr)
            print(json.dumps({"folder": str(store.samples_dir()), "total": len(found),
                              "counts": found.counts()}))
        elif args.action == "add":
            bad = 0
            for path in args.images:
                try:
                    digit = to_mnist(read_image(path))
                except OSError as err:
                    bad += 1
                    print(f"digitpad: {err}", file=sys.stderr)
                    continue
                if digit is None:
                    bad += 1
                    print(f"digitpad: {path}: no digit found; not added", file=sys.stderr)
                    continue
                print(json.dumps({"path": str(path), "label": args.label,
                                  "sample": str(store.add(digit, args.label))}))
            return 2 if bad else 0
        elif args.action == "export":
            print(f"exported {store.export(args.file)} samples to {args.file}")
        elif args.action == "import":
            added, skipped = store.import_file(args.file)
            for reason in skipped:
                print(f"skipped {reason}", file=sys.stderr)
            print(f"imported {added} samples from {args.file}")
        else:
            print(f"deleted {store.clear()} samples")
    except (DatasetError, OSError) as err:
        return fail(str(err))
    return 0


def personalise(args: argparse.Namespace) -> int:
    from digitpad import models
    from digitpad.errors import DatasetError, DeviceUnavailable, ModelFileError
    from digitpad.personalise import EPOCHS, personalise
    from trainers.callbacks import TrainingCancelled, TrainingFailed

    try:
        taught = load_samples(args.samples)
        for reason in taught.skipped:
            print(f"skipped {reason}", file=sys.stderr)
        base = args.model or models.default_model(args.backend)
        with TerminalProgress(EPOCHS) as progress:
            done = personalise(base, taught, progress, args.device, args.out)
    except (DatasetError, DeviceUnavailable, ModelFileError, TrainingFailed, OSError) as err:
        return fail(str(err))
    except (TrainingCancelled, KeyboardInterrupt):
        print("\npersonalising cancelled; nothing was saved", file=sys.stderr)
        return EXIT_CANCELLED
    held = (f"{done.samples_accuracy:.2%} of your samples it did not learn from"
            if done.samples_accuracy is not None else "not measured on held-out samples")
    print(f"{done.card.title}: reads {held}; MNIST test accuracy {done.mnist_accuracy:.2%}; "
          f"fine-tuned in {done.seconds:.0f} s on {len(taught)} samples")
    print(f"saved {done.path} (+ model card {done.path.name}.json)")
    return 0


def load_samples(source: Path | None):
    """The samples to personalise on: a folder, an exported zip (read into a temporary
    folder) or, by default, the user's own."""
    import tempfile

    from digitpad import samples as store

    if source is None or source.is_dir():
        return store.load(source)
    with tempfile.TemporaryDirectory() as folder:
        _, skipped = store.import_file(source, Path(folder))
        found = store.load(Path(folder))
        found.skipped[:0] = skipped
        return found
