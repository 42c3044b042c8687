"""The arrays a training run works on, split the same way for every backend, and the measures
computed from predictions."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from digitpad.data import DatasetError
from trainers.config import TrainConfig


@dataclass(frozen=True)
class Splits:
    train_x: np.ndarray  # (N, 28, 28) float32 0..1
    train_y: np.ndarray  # (N,) int64
    val_x: np.ndarray
    val_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray


def prepare(data, config: TrainConfig) -> Splits:
    """Scale to 0..1 and hold out a seeded random validation share of the training images.
    `data` is anything with MNIST's four arrays (digitpad.data.MnistData)."""
    if len(data.train_x) == 0:
        raise DatasetError("the training data holds no images: nothing to train on")
    if len(data.test_x) == 0:
        raise DatasetError("the test data holds no images: the new model could not be scored")
    x = _scaled(data.train_x)
    y = np.asarray(data.train_y, np.int64)
    order = np.random.default_rng(config.seed).permutation(len(x))
    n_val = int(round(len(x) * config.val_split))
    if n_val >= len(x):
        raise DatasetError(
            f"a validation share of {config.val_split:.0%} leaves no training "
            f"images out of {len(x)}"
        )
    val, train = order[:n_val], order[n_val:]
    return Splits(
        x[train],
        y[train],
        x[val],
        y[val],
        _scaled(data.test_x),
        np.asarray(data.test_y, np.int64),
    )


def _scaled(images) -> np.ndarray:
    """uint8 0..255 -> float32 0..1 in one pass."""
    return np.multiply(images, np.float32(1 / 255), dtype=np.float32)


def steps_per_epoch(n: int, batch_size: int) -> int:
    return max(1, math.ceil(n / batch_size))


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    return float((probabilities.argmax(axis=1) == labels).mean()) if len(labels) else float("nan")


def mean_loss(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Cross-entropy of predicted probabilities, as the trainers minimise it."""
    if not len(labels):
        return float("nan")
    picked = probabilities[np.arange(len(labels)), labels]
    return float(-np.log(np.clip(picked, 1e-7, 1.0)).mean())


def held_out_metrics(
    predict: Callable[[np.ndarray], np.ndarray], splits: Splits, config: TrainConfig
) -> dict[str, float]:
    """Validation loss and accuracy (when a share is held out), and test accuracy on request."""
    metrics = {}
    if len(splits.val_y):
        probs = predict(splits.val_x)
        metrics["val_loss"] = mean_loss(probs, splits.val_y)
        metrics["val_accuracy"] = accuracy(probs, splits.val_y)
    if config.track_test:  # timed, so that benchmarks can leave their own measuring out
        started = time.perf_counter()
        metrics["test_accuracy"] = accuracy(predict(splits.test_x), splits.test_y)
        metrics["test_seconds"] = time.perf_counter() - started
    return metrics
