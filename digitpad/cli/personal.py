"""`digitpad personalise`: a copy of a model fine-tuned on the user's samples."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digitpad import backends
from digitpad.cli.common import (
    EXIT_CANCELLED,
    add_device_arg,
    add_json_arg,
    examples,
    fail,
    print_json,
)
from digitpad.cli.training import TerminalProgress


def add_commands(sub) -> None:
    p = sub.add_parser(
        "personalise",
        help="fine-tune a copy of a model on your samples",
        description="Fine-tune a copy of a model on your samples (see `digitpad "
        'samples`) and save it as "<model> · personal"; the model itself is '
        "left as it was. A progress bar goes to stderr.",
        epilog=examples(
            "digitpad personalise",
            "digitpad personalise --backend keras --samples my-digits.zip --json",
        ),
    )
    p.add_argument(
        "--backend",
        choices=backends.training_backends(),
        default="torch",
        help="the framework of the bundled base model (with --model, the file's suffix decides)",
    )
    p.add_argument(
        "--model", type=Path, metavar="PATH", help="base model (default: the bundled CNN)"
    )
    p.add_argument(
        "--samples",
        type=Path,
        metavar="DIR_OR_ZIP",
        help="samples folder or exported zip (default: your own samples)",
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="model file (default: a new file in the user folder)",
    )
    add_device_arg(p)
    add_json_arg(p, "the saved model and how well it reads as one JSON object")
    p.set_defaults(run=personalise)


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
    if args.json:
        print_json(
            {
                "path": str(done.path),
                "card": f"{done.path}.json",
                "title": done.card.title,
                "samples": len(taught),
                "samples_accuracy": done.samples_accuracy,
                "mnist_accuracy": float(done.mnist_accuracy),
                "seconds": round(done.seconds, 2),
            }
        )
        return 0
    held = (
        f"{done.samples_accuracy:.2%} of your samples it did not learn from"
        if done.samples_accuracy is not None
        else "not measured on held-out samples"
    )
    print(
        f"{done.card.title}: reads {held}; MNIST test accuracy {done.mnist_accuracy:.2%}; "
        f"fine-tuned in {done.seconds:.0f} s on {len(taught)} samples"
    )
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
