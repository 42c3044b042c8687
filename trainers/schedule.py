"""The learning-rate schedule every backend trains with: a short linear warm-up, then a cosine
decay to zero. The shared loop computes it and hands each step its rate, so both backends follow
it to the letter."""

from __future__ import annotations

import math

WARMUP_FRACTION = 0.03


def warmup_steps(total_steps: int) -> int:
    return max(1, int(total_steps * WARMUP_FRACTION))


def lr_factor(step: int, total_steps: int) -> float:
    """The share of the base learning rate to use at `step` (0-based) of `total_steps`."""
    warm = warmup_steps(total_steps)
    if step < warm:
        return (step + 1) / warm
    progress = (step - warm) / max(1, total_steps - warm)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def learning_rate(base: float, step: int, total_steps: int) -> float:
    return base * lr_factor(step, total_steps)
