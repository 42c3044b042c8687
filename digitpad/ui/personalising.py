"""Personalise in Your samples: the progress with its share done and time left, and what to
fine-tune when the active model is already personal (the model it came from is offered: a
second Personalise fine-tuned the personal model again on the same samples without a word)."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QProgressBar, QWidget

from digitpad.backends.base import Predictor
from digitpad.session import ModelSession
from digitpad.ui.training_progress import duration
from digitpad.ui.workers import Worker


class Progress:
    """Training callbacks that report a share done to the worker and stop when asked."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    def on_batch(self, epoch: int, step: int, steps: int, loss: float) -> None:
        if step % 5 == 0:
            self.worker.report((step + 1) / steps)

    def on_epoch(self, epoch: int, metrics: dict) -> None:
        pass

    def should_stop(self) -> bool:
        return self.worker.abort_requested()


class TimeLeft:
    """Writes the share done and, once there is a rate to go by, the time left on a bar."""

    def __init__(self, bar: QProgressBar) -> None:
        self.bar, self.started = bar, time.monotonic()
        bar.setTextVisible(True)
        bar.setValue(0)
        bar.setFormat("%p%")

    def show(self, share: float) -> None:
        self.bar.setValue(int(share * 100))
        if share > 0.02:
            left = (time.monotonic() - self.started) * (1 - share) / share
            self.bar.setFormat(f"%p% · {duration(left)} left")


def base_of(session: ModelSession, active: Predictor) -> Path | None:
    """The listed model a personal one was fine-tuned from, if it is still there."""
    if not active.card.base:
        return None
    return next(
        (p for p, _ in session.entries if p.name == active.card.base and p != active.path), None
    )


def choose_base(parent: QWidget, session: ModelSession, active: Predictor) -> Path | None:
    """What Personalise fine-tunes: the active model, or the one it came from when it is
    already personal and the person says so. None: the person cancelled."""
    base = base_of(session, active)
    if base is None:
        return active.path
    base_card = session.card(base)
    base_title = base_card.title if base_card else base.name
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Personalise",
        f"{active.card.title} is already personalised, from {base_title}.",
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setObjectName("personaliseBase")
    box.setInformativeText(
        f"Personalise {base_title} again on all your samples (recommended), or fine-tune "
        f"{active.card.title} further on the same samples?"
    )
    fresh = box.addButton(f"From {base_title}", QMessageBox.ButtonRole.AcceptRole)
    further = box.addButton("Fine-tune further", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(fresh)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return base if clicked is fresh else active.path if clicked is further else None
