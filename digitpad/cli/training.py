"""`digitpad train` (with a progress bar on the terminal) and `digitpad devices`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digitpad import backends, network
from digitpad.cli.common import (
    EXIT_CANCELLED,
    add_device_arg,
    add_json_arg,
    examples,
    fail,
    print_json,
)
from digitpad.cli.layers import add_layers_arg, layers_from
from trainers.config import DEFAULTS, OPTIMIZERS


def add_commands(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train a model and save it with its model card",
        description="Train a network on MNIST and save it, with its model card "
        "(NAME.json), as one unit; a progress bar and a line per epoch go to "
        "stderr.",
        epilog=examples(
            "digitpad train --backend torch --epochs 3",
            "digitpad train --backend keras --layers "
            '"conv:32:3,pool:2,dense:128" --out mine.keras --json',
        ),
    )
    p.add_argument(
        "--backend",
        choices=backends.training_backends(),
        required=True,
        help="the framework that trains it",
    )
    choice = p.add_mutually_exclusive_group()
    choice.add_argument(
        "--arch",
        choices=list(network.PRESETS),
        default=DEFAULTS.arch,
        help="a named network (see `digitpad summary --layers NAME`)",
    )
    add_layers_arg(choice, required=False)
    p.add_argument(
        "--epochs",
        type=int,
        metavar="N",
        default=DEFAULTS.epochs,
        help="passes over the training images",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        metavar="N",
        default=DEFAULTS.batch_size,
        help="images per training step",
    )
    p.add_argument("--lr", type=float, metavar="X", default=DEFAULTS.lr, help="learning rate")
    p.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        default=DEFAULTS.optimizer,
        help="how the weights follow the gradient",
    )
    p.add_argument(
        "--no-augment",
        dest="augment",
        action="store_false",
        help="train on the images as they are (default: each epoch's images "
        "thickened, turned, shifted and warped a little, as drawings vary)",
    )
    p.add_argument(
        "--val-split",
        type=float,
        metavar="X",
        default=DEFAULTS.val_split,
        help="share of the training images held out to measure each epoch",
    )
    add_device_arg(p, DEFAULTS.device)
    p.add_argument(
        "--data", type=Path, metavar="DIR", help="MNIST folder (default: the bundled subset)"
    )
    p.add_argument(
        "--with-pen-drawings",
        action="store_true",
        help="add the bundled pen-drawn digits (30 writers) to the training images, "
        "drawn the ways mouse users draw (made once, then cached)",
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="model file (default: a new file in the user folder)",
    )
    p.add_argument(
        "--seed",
        type=int,
        metavar="N",
        default=DEFAULTS.seed,
        help="random seed: the same seed and settings train the same network",
    )
    p.add_argument(
        "--tensorboard",
        type=Path,
        metavar="DIR",
        help="also log the run for TensorBoard, in a new folder under DIR "
        "(then: tensorboard --logdir DIR)",
    )
    add_json_arg(p, "the saved model, its accuracy and each epoch's metrics as one JSON object")
    p.set_defaults(run=train)

    p = sub.add_parser(
        "devices",
        help="list the devices each backend can use here",
        epilog=examples("digitpad devices --json"),
    )
    add_json_arg(p, "every backend, whether it is installed and its devices, as one JSON object")
    p.set_defaults(run=devices)


class TerminalProgress:
    """A progress bar on stderr (rich), and a line per finished epoch."""

    def __init__(self, epochs: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.epochs = epochs
        self.console = Console(stderr=True)
        self.bar = Progress(
            TextColumn("epoch {task.fields[epoch]}/" + str(epochs)),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.task = None

    def __enter__(self) -> TerminalProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.stop()

    def on_batch(self, epoch: int, step: int, steps: int, loss: float) -> None:
        if self.task is None:
            self.task = self.bar.add_task("train", total=steps * self.epochs, epoch=1, loss="-")
        self.bar.update(
            self.task, completed=epoch * steps + step + 1, epoch=epoch + 1, loss=f"{loss:.4f}"
        )

    def on_epoch(self, epoch: int, metrics: dict[str, float]) -> None:
        text = "  ".join(f"{k} {v:.4f}" for k, v in metrics.items())
        self.console.print(f"epoch {epoch + 1}/{self.epochs}: {text}", highlight=False)

    def should_stop(self) -> bool:
        return False


def train(args: argparse.Namespace) -> int:
    from digitpad import train_job
    from digitpad.data import DatasetError, load_mnist, with_pen_drawings
    from digitpad.errors import DeviceUnavailable, ModelFileError, Unsupported
    from trainers.callbacks import TrainingCancelled, TrainingFailed
    from trainers.config import ConfigError, TrainConfig
    from trainers.tensorboard import check_available

    layers = layers_from(args.layers) if args.layers else network.preset(args.arch).layers
    if isinstance(layers, int):
        return layers
    try:
        config = TrainConfig(
            backend=args.backend,
            layers=layers,
            epochs=args.epochs,
            batch_size=args.batch_size,
            lr=args.lr,
            optimizer=args.optimizer,
            augment=args.augment,
            val_split=args.val_split,
            seed=args.seed,
            device=args.device,
        )
        out = train_job.check_destination(args.out, config.backend) if args.out else None
        if args.tensorboard:
            check_available(args.tensorboard)
        data = load_mnist(args.data)
        if args.with_pen_drawings:
            data = with_pen_drawings(
                data, lambda text: print(f"\r{text}", end="", file=sys.stderr, flush=True)
            )
            print(file=sys.stderr)
        with TerminalProgress(args.epochs) as progress:
            path, card, result = train_job.run(config, data, progress, out, args.tensorboard)
    except (
        ConfigError,
        DatasetError,
        DeviceUnavailable,
        TrainingFailed,
        ModelFileError,
        Unsupported,
    ) as err:
        return fail(str(err))
    except (TrainingCancelled, KeyboardInterrupt):
        print(
            "\ntraining cancelled; no model was saved (the run is kept: digitpad runs)",
            file=sys.stderr,
        )
        return EXIT_CANCELLED
    if args.json:
        print_json(
            {
                "path": str(path),
                "card": f"{path}.json",
                "backend": card.backend,
                "test_accuracy": float(result.test_accuracy),
                "test_images": len(data.test_y),
                "train_images": result.train_size,
                "seconds": round(result.seconds, 2),
                "history": [{k: float(v) for k, v in row.items()} for row in result.history],
                "tensorboard": str(args.tensorboard) if args.tensorboard else None,
            }
        )
        return 0
    print(
        f"test accuracy {result.test_accuracy:.2%} on {len(data.test_y):,} images "
        f"after {result.seconds:.0f} s"
    )
    print(f"saved {path} (+ model card {path.name}.json)")
    if args.tensorboard:
        print(f"TensorBoard log in {args.tensorboard} (tensorboard --logdir {args.tensorboard})")
    return 0


def devices(args: argparse.Namespace) -> int:
    found = {}
    for name in backends.names():
        backend = backends.get(name)
        usable = backend.devices() if backend.available() else []
        found[name] = {
            "label": backend.label,
            "installed": backend.available(),
            "devices": [{"id": d.id, "label": d.label} for d in usable],
        }
    if args.json:
        print_json(found)
        return 0
    for entry in found.values():
        print(f"{entry['label']}:" if entry["installed"] else f"{entry['label']}: not installed")
        for device in entry["devices"]:
            print(f"  {device['id']:<8} {device['label']}")
    return 0
