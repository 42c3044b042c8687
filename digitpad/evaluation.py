"""Scoring a predictor on labelled digits: accuracy, per-class accuracy, confusion matrix and the
misclassified examples. Shared by `digitpad evaluate` and the window's evaluation view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


class EvaluationStopped(Exception):
    """The evaluation was asked to stop before the end."""


@dataclass
class Evaluation:
    accuracy: float
    n: int
    per_class: list[float | None]  # None for a digit absent from the data
    confusion: np.ndarray  # (10, 10): rows are the true digit, columns the prediction
    mistakes: np.ndarray  # indices of misclassified images
    predicted: np.ndarray

    def as_json(self) -> dict:
        return {
            "accuracy": self.accuracy,
            "n": self.n,
            "per_class": self.per_class,
            "confusion": self.confusion.tolist(),
        }


def evaluate(
    predictor,
    images: np.ndarray,
    labels: np.ndarray,
    batch: int = 1000,
    progress: Callable[[float], bool] | None = None,
) -> Evaluation:
    """Score `predictor` on uint8 MNIST images (white on black) and their labels, in large
    batches. `progress(share_done)` is called after each; it returns False to stop early."""
    labels = np.asarray(labels, np.int64)
    chunks = []
    for start in range(0, len(images), batch):
        chunk = images[start : start + batch].astype(np.float32) / np.float32(255)
        chunks.append(predictor.predict(chunk))
        if progress and progress(min(1.0, (start + batch) / len(images))) is False:
            raise EvaluationStopped("evaluation was stopped")
    predicted = np.concatenate(chunks).argmax(axis=1) if chunks else np.zeros(0, np.int64)
    confusion = np.zeros((10, 10), np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    counts = confusion.sum(axis=1)
    per_class = [float(confusion[d, d] / counts[d]) if counts[d] else None for d in range(10)]
    return Evaluation(
        accuracy=float((predicted == labels).mean()) if len(labels) else 0.0,
        n=int(len(labels)),
        per_class=per_class,
        confusion=confusion,
        mistakes=np.flatnonzero(predicted != labels),
        predicted=predicted,
    )
