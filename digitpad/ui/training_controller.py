"""The training run in progress, owned by the window rather than by the panel: the panel and the
status-bar indicator both observe it, so closing the panel never hides or stops a run.

The run is a `Worker`: `train_job.run` on a pool thread, reporting through a callbacks object
that turns batches and epochs into throttled `progress` values and asks the worker whether the
user cancelled before every batch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from digitpad.ui.workers import Worker, WorkerPool
from trainers.config import TrainConfig

PROGRESS_INTERVAL_S = 0.05  # at most 20 progress signals a second
ESTIMATE_AFTER_BATCHES = 8  # no time-left guess before this many batches have been timed


@dataclass(frozen=True)
class Progress:
    epoch: int
    step: int
    steps: int
    loss: float
    done: float  # share of the whole run, 0..1
    seconds_left: float | None  # None until there is enough to estimate from


@dataclass(frozen=True)
class Outcome:
    path: str
    card: object
    test_accuracy: float


class _Callbacks:
    """Runs on the worker thread; hands everything to the GUI thread through the worker."""

    def __init__(self, worker: Worker, epochs: int) -> None:
        self.worker, self.epochs = worker, epochs
        self._first: float | None = None  # when the first batch ended (set-up excluded)
        self._timed = 0
        self._last = 0.0

    def on_batch(self, epoch: int, step: int, steps: int, loss: float) -> None:
        now = time.perf_counter()
        if self._first is None:
            self._first = now
        else:
            self._timed += 1
        done = (epoch * steps + step + 1) / (self.epochs * steps)
        if now - self._last < PROGRESS_INTERVAL_S and step + 1 < steps:
            return
        self._last = now
        left = None
        if self._timed >= ESTIMATE_AFTER_BATCHES:
            per_batch = (now - self._first) / self._timed
            left = per_batch * (self.epochs * steps - (epoch * steps + step + 1))
        self.worker.report(Progress(epoch, step, steps, loss, done, left))

    def on_epoch(self, epoch: int, metrics: dict[str, float]) -> None:
        self.worker.report((epoch, dict(metrics)))

    def should_stop(self) -> bool:
        return self.worker.abort_requested()


class TrainingController(QObject):
    started = Signal(object)  # the TrainConfig
    progressed = Signal(object)  # a Progress
    epochEnded = Signal(int, dict)
    status = Signal(str)  # what is happening before the first batch
    succeeded = Signal(object)  # an Outcome (the model is saved)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()  # after any of the three

    def __init__(self, pool: WorkerPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.worker: Worker | None = None
        self.config: TrainConfig | None = None
        self.last: Progress | None = None
        self._active = False

    def running(self) -> bool:
        """Until the run's outcome has been handled here, on the GUI thread."""
        return self._active

    def start(
        self,
        config: TrainConfig,
        data_choice: str,
        folder: str = "",
        limit: tuple[int | None, int | None] = (None, None),
        tensorboard: Path | None = None,
    ) -> bool:
        if self.running():
            return False
        self.config, self.last = config, None

        def work(worker: Worker):
            from digitpad import data, train_job
            from trainers.callbacks import TrainingCancelled

            def report(text: str) -> None:  # preparing data (drawing pen digits) can be long
                if worker.abort_requested():
                    raise TrainingCancelled("training was cancelled")
                worker.report(text)

            dataset = data.load_choice(data_choice, folder, report)
            if any(limit):
                dataset = dataset.subset(*limit)
            logged = f", logging to TensorBoard in {tensorboard}" if tensorboard else ""
            worker.report(f"Training on {config.device}{logged}…")
            return train_job.run(
                config, dataset, _Callbacks(worker, config.epochs), tensorboard=tensorboard
            )

        self._active = True
        self.worker = self.pool.start(work, "training", self._on_done, self._on_error)
        self.worker.progress.connect(self._on_progress)
        self.started.emit(config)
        return True

    def cancel(self) -> None:
        if self.running():
            self.worker.quit()

    def _on_progress(self, value) -> None:
        if isinstance(value, Progress):
            self.last = value
            self.progressed.emit(value)
        elif isinstance(value, tuple):
            self.epochEnded.emit(*value)
        else:
            self.status.emit(str(value))

    def _on_done(self, result) -> None:
        self._active = False
        path, card, outcome = result
        self.succeeded.emit(Outcome(str(path), card, outcome.test_accuracy))
        self.ended.emit()

    def _on_error(self, err: Exception) -> None:
        from trainers.callbacks import TrainingCancelled

        self._active = False
        if isinstance(err, TrainingCancelled):
            self.cancelled.emit()
        elif isinstance(err, MemoryError):
            self.failed.emit("out of memory: lower the batch size")
        else:
            self.failed.emit(str(err) or type(err).__name__)
        self.ended.emit()
