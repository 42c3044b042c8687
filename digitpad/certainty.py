"""How sure a reading is, in words: a confident answer, or "7, or maybe 1" when the network
hesitates. Qt-free; the window and its tests share it.

The threshold is measured, not guessed (`benchmarks/confidence.py`): on real pen drawings by
writers the bundled CNNs never saw, readings under it are wrong many times more often than
readings above it, while only a few percent of all readings fall under it; random scribbles and
upside-down digits mostly do.
"""

from __future__ import annotations

import numpy as np

UNSURE_BELOW = 0.80  # top probability under which the runner-up is named


def is_unsure(probs: np.ndarray) -> bool:
    return float(np.max(probs)) < UNSURE_BELOW


def describe(probs: np.ndarray) -> str:
    """ "97.3% confident", or "Not sure: 7, or maybe 1 (55% / 40%)"."""
    probs = np.asarray(probs, np.float64)
    best, second = (int(i) for i in np.argsort(probs)[::-1][:2])
    if not is_unsure(probs):
        return f"{probs[best]:.1%} confident"
    return f"Not sure: {best}, or maybe {second} ({probs[best]:.0%} / {probs[second]:.0%})"
