"""The `digitpad` command: the window by default, and predict / evaluate / train / devices."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

EXIT_BAD_INPUT = 2


def _add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=("torch", "keras"), default="torch")
    p.add_argument("--model", type=Path, help="model file (default: the bundled CNN)")
    p.add_argument("--device", default="cpu")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digitpad", description="Draw a digit and watch a network read it as you draw."
    )
    parser.add_argument("--self-test", action="store_true",
                        help="check every bundled model and one training step, then exit")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("gui", help="open the window (the default)")

    p = sub.add_parser("predict", help="read digits from image files")
    _add_model_args(p)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("images", nargs="+", type=Path)

    p = sub.add_parser("evaluate", help="accuracy and confusion matrix on the MNIST test set")
    _add_model_args(p)
    p.add_argument("--data", type=Path, help="MNIST folder (default: the bundled files)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("train", help="train a model and save it with its model card")
    p.add_argument("--backend", choices=("torch", "keras"), required=True)
    p.add_argument("--arch", choices=("mlp", "cnn"), default="cnn")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--optimizer", choices=("adam", "adamw", "sgd"), default="adam")
    p.add_argument("--no-augment", dest="augment", action="store_false")
    p.add_argument("--val-split", type=float, default=0.1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--data", type=Path, help="MNIST folder (default: the bundled subset)")
    p.add_argument("--out", type=Path, help="model file (default: a new file in the user folder)")
    p.add_argument("--seed", type=int, default=0)

    sub.add_parser("devices", help="list the devices each backend can use here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        from digitpad.self_test import run_self_test

        return run_self_test()
    command = args.command or "gui"
    if command == "gui":
        from digitpad.ui.app import run_app

        return run_app()
    return {"predict": cmd_predict, "evaluate": cmd_evaluate, "train": cmd_train,
            "devices": cmd_devices}[command](args)


def _fail(message: str) -> int:
    print(f"digitpad: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _load(args):
    from digitpad.models import ModelFileError
    from digitpad.predictors import load_any, load_predictor

    try:
        if args.model:
            return load_any(args.model, args.device)
        return load_predictor(args.backend, None, args.device)
    except (ModelFileError, ValueError) as err:
        raise SystemExit(_fail(str(err))) from err


def cmd_predict(args) -> int:
    from digitpad.images import read_image
    from digitpad.predictors import predict_one
    from digitpad.preprocess import to_mnist

    predictor = _load(args)
    status = 0
    for path in args.images:
        try:
            digit = to_mnist(read_image(path))
        except (OSError, ValueError) as err:
            _fail(str(err))
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
            print(json.dumps(record), flush=True)
        elif probs is None:
            print(f"{path}: no digit (blank image)")
        else:
            print(f"{path}: {record['digit']} ({record['confidence']:.1%})")
    return status


def cmd_evaluate(args) -> int:
    from digitpad.data import DatasetError, load_mnist

    try:
        data = load_mnist(args.data)
    except DatasetError as err:
        return _fail(str(err))
    from digitpad.evaluation import evaluate

    predictor = _load(args)
    report = evaluate(predictor, data.test_x, data.test_y).as_json()
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"{predictor.card.title} on {report['n']:,} test images ({data.source})")
    print(f"accuracy: {report['accuracy']:.2%}")
    print("per class: " + "  ".join(f"{d}:{a:.1%}" for d, a in enumerate(report["per_class"])
                                    if a is not None))
    print("confusion (rows: true digit, columns: predicted):")
    print("     " + "".join(f"{d:>6}" for d in range(10)))
    for d, row in enumerate(report["confusion"]):
        print(f"{d:>5}" + "".join(f"{v:>6}" for v in row))
    return 0


class TerminalProgress:
    """A one-line progress bar on stderr; epochs get a line each."""

    def __init__(self, epochs: int) -> None:
        self.epochs, self.started, self.last = epochs, time.perf_counter(), 0.0

    def on_batch(self, epoch: int, step: int, steps: int, loss: float) -> None:
        now = time.perf_counter()
        if now - self.last < 0.1 and step + 1 < steps:
            return
        self.last = now
        done = (epoch * steps + step + 1) / (self.epochs * steps)
        left = (now - self.started) * (1 - done) / max(done, 1e-9)
        bar = "#" * int(30 * (step + 1) / steps)
        print(f"\repoch {epoch + 1}/{self.epochs} [{bar:<30}] {step + 1}/{steps} "
              f"loss {loss:.4f}  {left:4.0f}s left ", end="", file=sys.stderr, flush=True)

    def on_epoch(self, epoch: int, metrics: dict[str, float]) -> None:
        text = "  ".join(f"{k} {v:.4f}" for k, v in metrics.items())
        print(f"\repoch {epoch + 1}/{self.epochs}: {text}" + " " * 20, file=sys.stderr)

    def should_stop(self) -> bool:
        return False


def cmd_train(args) -> int:
    from digitpad import train_job
    from digitpad.data import DatasetError, load_mnist
    from trainers.callbacks import TrainingCancelled, TrainingFailed
    from trainers.config import ConfigError, TrainConfig
    from trainers.devices import DeviceUnavailable

    try:
        config = TrainConfig(
            backend=args.backend, arch=args.arch, epochs=args.epochs,
            batch_size=args.batch_size, lr=args.lr, optimizer=args.optimizer,
            augment=args.augment, val_split=args.val_split, seed=args.seed, device=args.device,
        )
        data = load_mnist(args.data)
        path, card, result = train_job.run(config, data, TerminalProgress(args.epochs), args.out)
    except (ConfigError, DatasetError, DeviceUnavailable, TrainingFailed) as err:
        return _fail(str(err))
    except (TrainingCancelled, KeyboardInterrupt):
        print("\ntraining cancelled; nothing was saved", file=sys.stderr)
        return 130
    print(f"test accuracy {result.test_accuracy:.2%} on {len(data.test_y):,} images "
          f"after {result.seconds:.0f} s")
    print(f"saved {path} (+ model card {path.name}.json)")
    return 0


def cmd_devices(args) -> int:
    from trainers.devices import list_devices

    for backend, label in (("torch", "PyTorch"), ("keras", "Keras (TensorFlow)")):
        try:
            found = list_devices(backend)
        except ImportError as err:
            print(f"{label}: not installed ({err})")
            continue
        print(f"{label}:")
        for device in found:
            print(f"  {device.id:<8} {device.label}")
    return 0
