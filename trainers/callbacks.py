"""The one protocol every trainer reports progress through, and the outcomes it can end in.

Training is a plain function: it calls `on_batch` and `on_epoch` as it goes and asks
`should_stop()` before every batch, so the GUI thread, the terminal and tests can all drive it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class TrainingCallbacks(Protocol):
    def on_batch(self, epoch: int, step: int, steps: int, loss: float) -> None: ...
    def on_epoch(self, epoch: int, metrics: dict[str, float]) -> None: ...
    def should_stop(self) -> bool: ...


class SilentCallbacks:
    """Reports nothing and never stops: for scripts and tests that only want the result."""

    def on_batch(self, epoch: int, step: int, steps: int, loss: float) -> None:
        pass

    def on_epoch(self, epoch: int, metrics: dict[str, float]) -> None:
        pass

    def should_stop(self) -> bool:
        return False


class TrainingCancelled(Exception):
    """The user asked to stop; no model comes out of the run."""


class TrainingFailed(Exception):
    """Training cannot go on (NaN loss, device error, out of memory); the message says why."""


@dataclass
class TrainResult:
    model: Any
    history: list[dict[str, float]] = field(default_factory=list)
    test_accuracy: float = 0.0
    seconds: float = 0.0
    train_size: int = 0


def check_loss(loss: float, epoch: int, step: int) -> None:
    """Stop at the first non-finite loss with a message a user can act on."""
    if loss != loss or loss in (float("inf"), float("-inf")):
        raise TrainingFailed(
            f"the loss became {loss} at epoch {epoch + 1}, batch {step + 1}; "
            "try a lower learning rate or check the data"
        )
