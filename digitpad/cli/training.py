"""`digitpad train` (with a progress bar on the terminal) and `digitpad devices`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digitpad import backends, network
from digitpad.cli.common import fail
from digitpad.cli.layers import add_layers_arg, layers_from
from trainers.config import DEFAULTS, OPTIMIZERS

EXIT_CANCELLED = 130


def add_commands(sub) -> None:
    p = sub.add_parser("train", help="train a model and save it with its model card")
    p.add_argument("--backend", choices=backends.training_backends(), required=True)
    choice = p.add_mutually_exclusive_group()
    choice.add_argument("--arch", choices=list(network.PRESETS), default=DEFAULTS.arch,
                        help="a named network (default: %(default)s; see `digitpad summary "
                        "--layers NAME`)")
    add_layers_arg(choice, required=False)
    p.add_argument("--epochs", type=int, default=DEFAULTS.epochs)
    p.add_argument("--batch-size", type=int, default=DEFAULTS.batch_size)
    p.add_argument("--lr", type=float, default=DEFAULTS.lr)
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=DEFAULTS.optimizer)
    p.add_argument("--no-augment", dest="augment", action="store_false")
    p.add_argument("--val-split", type=float, default=DEFAULTS.val_split)
    p.add_argument("--device", default=DEFAULTS.device)
    p.add_argument("--data", type=Path, help="MNIST folder (default: the bundled subset)")
    p.add_argument("--with-pen-drawings", action="store_true",
                   help="add the bundled pen-drawn digits (30 writers) to the training images, "
                   "drawn the ways mouse users draw (made once, then cached)")
    p.add_argument("--out", type=Path, help="model file (default: a new file in the user folder)")
    p.add_argument("--seed", type=int, default=DEFAULTS.seed)
    p.add_argument("--tensorboard", type=Path, metavar="DIR",
                   help="also log the run for TensorBoard, in a new folder under DIR "
                   "(then: tensorboard --logdir DIR)")
    p.set_defaults(run=train)

    p = sub.add_parser("devices", help="list the devices each backend can use here")
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
        self.bar = Progress(TextColumn("epoch {task.fields[epoch]}/" + str(epochs)),
                            BarColumn(), MofNCompleteColumn(),
                            TextColumn("loss {task.fields[loss]}"), TimeRemainingColumn(),
                            console=self.console, transient=True)
        self.task = None

    def __enter__(self) -> TerminalProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.stop()

    def on_batch(self, epoch: int, step: int, steps: int, loss: float) -> None:
        if self.task is None:
            self.task = self.bar.add_task("train", total=steps * self.epochs, epoch=1,
                                          loss="-")
        self.bar.update(self.task, completed=epoch * steps + step + 1, epoch=epoch + 1,
                        loss=f"{loss:.4f}")

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
            backend=args.backend, layers=layers, epochs=args.epochs,
            batch_size=args.batch_size, lr=args.lr, optimizer=args.optimizer,
            augment=args.augment, val_split=args.val_split, seed=args.seed, device=args.device,
        )
        out = train_job.check_destination(args.out, config.backend) if args.out else None
        if args.tensorboard:
            check_available(args.tensorboard)
        data = load_mnist(args.data)
        if args.with_pen_drawings:
            data = with_pen_drawings(data, lambda text: print(f"\r{text}", end="",
                                                             file=sys.stderr, flush=True))
            print(file=sys.stderr)
        with TerminalProgress(args.epochs) as progress:
            path, card, result = train_job.run(config, data, progress, out, args.tensorboard)
    except (ConfigError, DatasetError, DeviceUnavailable, TrainingFailed,
            ModelFileError, Unsupported) as err:
        return fail(str(err))
    except (TrainingCancelled, KeyboardInterrupt):
        print("\ntraining cancelled; nothing was saved", file=sys.stderr)
        return EXIT_CANCELLED
    print(f"test accuracy {result.test_accuracy:.2%} on {len(data.test_y):,} images "
          f"after {result.seconds:.0f} s")
    print(f"saved {path} (+ model card {path.name}.json)")
    if args.tensorboard:
        print(f"TensorBoard log in {args.tensorboard} (tensorboard --logdir {args.tensorboard})")
    return 0


def devices(args: argparse.Namespace) -> int:
    for name in backends.names():
        backend = backends.get(name)
        if not backend.available():
            print(f"{backend.label}: not installed")
            continue
        print(f"{backend.label}:")
        for device in backend.devices():
            print(f"  {device.id:<8} {device.label}")
    return 0
