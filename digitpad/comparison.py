"""Several models reading the same digits: each one's answer and the time it took, which answers
disagree, and accuracies side by side on labelled digits. Shared by `digitpad predict` and
`digitpad evaluate` with several `--model`s and by the window's compare view, so that all three
count a reading's time and a disagreement the same way. Qt-free."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from digitpad.evaluation import Evaluation, evaluate

FEWEST, MOST = 2, 4  # models compared at once: each one holds its framework's memory


@dataclass(frozen=True)
class Answer:
    """One model's reading of one 28x28 image; `digit` is None when there is no digit."""

    digit: int | None
    confidence: float | None
    probabilities: np.ndarray | None
    ms: float  # the time `predict` took (no preprocessing: every model reads the same image)

    def as_json(self) -> dict:
        return {
            "digit": self.digit,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "ms": round(self.ms, 3),
        }


def read(predictor, image: np.ndarray | None) -> Answer:
    """`predictor`'s answer for one (28, 28) image (None: a blank picture, no guess), timed."""
    if image is None:
        return Answer(None, None, None, 0.0)
    started = time.perf_counter()
    probs = np.asarray(predictor.predict(np.asarray(image, np.float32)[None])[0], np.float32)
    ms = (time.perf_counter() - started) * 1000
    return Answer(int(probs.argmax()), float(probs.max()), probs, ms)


def outliers(digits: Sequence[int | None]) -> set[int]:
    """The positions of the answers that disagree with the others: those that are not the one
    most common digit, or every answer when no digit is more common than all others (two models
    that differ both stand out). A missing answer (None) neither disagrees nor counts."""
    counts = Counter(d for d in digits if d is not None)
    if len(counts) < 2:
        return set()
    (top, n), (_, runner_up) = counts.most_common(2)
    return {i for i, d in enumerate(digits) if d is not None and (d != top or n == runner_up)}


@dataclass
class SideBySide:
    """Several models scored on the same labelled images."""

    evaluations: list[Evaluation]
    disagree: int  # images on which the models do not all give the same digit
    all_wrong: int  # images that every model gets wrong

    @property
    def n(self) -> int:
        return self.evaluations[0].n if self.evaluations else 0


def evaluate_all(predictors: Sequence, images: np.ndarray, labels: np.ndarray) -> SideBySide:
    """Score every predictor on the same uint8 MNIST images, and count where they differ."""
    scored = [evaluate(p, images, labels) for p in predictors]
    predicted = np.stack([s.predicted for s in scored]) if scored else np.zeros((0, 0))
    labels = np.asarray(labels, np.int64)
    differ = (predicted != predicted[:1]).any(axis=0) if scored else np.zeros(0, bool)
    wrong = (predicted != labels).all(axis=0) if scored else np.zeros(0, bool)
    return SideBySide(scored, int(differ.sum()), int(wrong.sum()))
