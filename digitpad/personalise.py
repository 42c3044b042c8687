"""Personalisation: fine-tune a COPY of a trained model on the user's own samples, mixed with
MNIST images it already knew ("replay", so it keeps reading other people), and save it as a new
model "<base> · personal" whose card says what it came from and how well it reads the user.

How well it reads the user is measured on samples it did not learn from: with few samples by
3-fold cross-validation (three extra, smaller fine-tunes), with more by one stratified 20%
hold-out; the model that is saved then learns from all of them. Qt-free; used by the samples
window, the CLI and the personalisation benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitpad import atomic, backends, models, network
from digitpad.data import MnistData, load_mnist
from digitpad.errors import DatasetError, ModelFileError
from digitpad.samples import Samples
from digitpad.train_job import check_destination
from trainers import loop
from trainers.callbacks import TrainingCallbacks
from trainers.config import TrainConfig

MIN_SAMPLES = 10  # fewer cannot teach a network anything reliable
FEW_SAMPLES = 60  # below this, cross-validate instead of holding out
FOLDS = 3
COPIES = 4  # each personal sample appears this often per epoch (augmented)
REPLAY_PER_SAMPLE = 8  # MNIST images mixed in per personal sample
MIN_REPLAY = 600
EPOCHS = 4
LEARNING_RATE = 5e-4  # a quarter of training from scratch: adjust, do not relearn
PERSONAL = " · personal"  # how a personal model's name ends


@dataclass
class Personalised:
    path: Path
    card: models.ModelCard
    samples_accuracy: float | None  # on samples held out of the fine-tune
    mnist_accuracy: float
    seconds: float  # the fine-tune that made the saved model


class _Shared(TrainingCallbacks):
    """Passes one fine-tune's progress on as a share of all the fine-tunes of a run."""

    def __init__(self, outer: TrainingCallbacks, part: int, parts: int) -> None:
        self.outer, self.part, self.parts = outer, part, parts

    def should_stop(self) -> bool:
        return self.outer.should_stop()

    def on_batch(self, epoch: int, step: int, steps: int, loss: float) -> None:
        done = self.part * EPOCHS * steps + epoch * steps + step
        self.outer.on_batch(0, done, self.parts * EPOCHS * steps, loss)

    def on_epoch(self, epoch: int, metrics: dict) -> None:
        if self.part == self.parts - 1:
            self.outer.on_epoch(epoch, metrics)


def check_enough(samples: Samples) -> None:
    if len(samples) < MIN_SAMPLES:
        raise DatasetError(
            f"personalising needs at least {MIN_SAMPLES} samples; there "
            f"{'is' if len(samples) == 1 else 'are'} {len(samples)}. Draw a digit and press its "
            "key (0-9) to add one."
        )


def mix(
    samples_x: np.ndarray,
    samples_y: np.ndarray,
    replay: MnistData,
    test_x: np.ndarray,
    test_y: np.ndarray,
    seed: int,
) -> MnistData:
    """Personal samples (repeated) and MNIST replay as one training set."""
    rng = np.random.default_rng(seed)
    n_replay = min(len(replay.train_x), max(MIN_REPLAY, REPLAY_PER_SAMPLE * len(samples_y)))
    pick = rng.choice(len(replay.train_x), n_replay, replace=False)
    return MnistData(
        np.concatenate([np.tile(samples_x, (COPIES, 1, 1)), replay.train_x[pick]]),
        np.concatenate([np.tile(samples_y, COPIES), replay.train_y[pick]]),
        test_x,
        test_y,
        f"{len(samples_y)} personal samples + {n_replay:,} MNIST images (replay)",
    )


def folds(labels: np.ndarray, seed: int) -> list[np.ndarray]:
    """Held-out index sets, stratified by digit: FOLDS of them with few samples, else one 20%."""
    rng = np.random.default_rng(seed)
    parts = FOLDS if len(labels) < FEW_SAMPLES else 5
    buckets: list[list[int]] = [[] for _ in range(parts)]
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        for i, j in enumerate(idx):
            buckets[i % parts].append(int(j))
    chosen = buckets if len(labels) < FEW_SAMPLES else buckets[:1]
    return [np.array(sorted(b), int) for b in chosen if b]


def personalise(
    base: Path,
    samples: Samples,
    callbacks: TrainingCallbacks,
    device: str = "cpu",
    out: Path | None = None,
    measure: bool = True,
    seed: int = 0,
) -> Personalised:
    """Fine-tune a copy of the model at `base` on `samples`; save it as a new model (in the
    user's folder unless `out`). The base file is never written. Raises DatasetError (too few
    samples), ModelFileError (base gone or damaged, or nowhere to save the result: found
    before the fine-tune), TrainingCancelled, TrainingFailed."""
    from digitpad.predictors import load_any

    check_enough(samples)
    base = Path(base)
    if not base.is_file():
        raise ModelFileError(f"{base}: the model to personalise is gone (no such file)")
    predictor = load_any(base, device)
    card = predictor.card
    backend = backends.get(card.backend)
    if not backend.trains or not card.network:
        raise ModelFileError(
            f"{card.title} models cannot be fine-tuned here"
            + ("" if backend.trains else " (its network is not one digitpad builds)")
        )
    layers = network.from_json(card.network)
    path = check_destination(
        out or models.new_user_model_path(card.backend, card.arch, "personal"), card.backend
    )
    config = TrainConfig(
        backend=card.backend,
        layers=layers,
        epochs=EPOCHS,
        batch_size=64,
        lr=LEARNING_RATE,
        val_split=0.0,
        seed=seed,
        device=device,
    )
    replay = load_mnist()
    x, y = samples.images, samples.labels
    held = folds(y, seed) if measure else []
    parts = len(held) + 1
    right = total = 0
    for part, test in enumerate(held):
        keep = np.setdiff1d(np.arange(len(y)), test)
        data = mix(x[keep], y[keep], replay, x[test], y[test], seed + part + 1)
        result = loop.train(config, data, _Shared(callbacks, part, parts), predictor.model)
        right += round(result.test_accuracy * len(test))
        total += len(test)
    data = mix(x, y, replay, replay.test_x, replay.test_y, seed)
    result = loop.train(config, data, _Shared(callbacks, parts - 1, parts), predictor.model)
    samples_accuracy = right / total if total else None
    new_card = models.ModelCard(
        backend=card.backend,
        arch=card.arch,
        network=card.network,
        params=card.params,
        dataset=data.source,
        train_size=len(data.train_y),
        epochs=EPOCHS,
        test_accuracy=round(result.test_accuracy, 6),
        name=card.title if card.title.endswith(PERSONAL) else card.title + PERSONAL,
        base=base.name,
        scores={"personal_samples": len(y)}
        | ({"personal_held_out_accuracy": round(samples_accuracy, 6)} if total else {}),
        config=config.as_dict() | {"seconds": round(result.seconds, 1)},
    )
    with atomic.uninterrupted():
        new_card = models.save(path, lambda tmp: backend.save(result.model, layers, tmp), new_card)
    return Personalised(path, new_card, samples_accuracy, result.test_accuracy, result.seconds)
