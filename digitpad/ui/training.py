"""Training on a worker thread: a QObject moved to a QThread, reporting through Qt signals.

The trainer itself is the plain `train_job.run` function; `QtCallbacks` turns its progress into
signals (throttled, so tiny batches cannot flood the GUI) and carries the cancel flag.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from trainers.config import TrainConfig

PROGRESS_INTERVAL_S = 0.05  # at most 20 progress signals a second


class QtCallbacks(QObject):
    progress = Signal(int, int, int, float, float)  # epoch, step, steps, loss, seconds left
    epochEnded = Signal(int, dict)

    def __init__(self, epochs: int) -> None:
        super().__init__()
        self.epochs = epochs
        self.cancel = threading.Event()
        self._started = time.perf_counter()
        self._last = 0.0

    def on_batch(self, epoch: int, step: int, steps: int, loss: float) -> None:
        now = time.perf_counter()
        last_step = step + 1 == steps
        if now - self._last < PROGRESS_INTERVAL_S and not last_step:
            return
        self._last = now
        done = (epoch * steps + step + 1) / (self.epochs * steps)
        left = (now - self._started) * (1 - done) / max(done, 1e-9)
        self.progress.emit(epoch, step, steps, loss, left)

    def on_epoch(self, epoch: int, metrics: dict[str, float]) -> None:
        self.epochEnded.emit(epoch, dict(metrics))

    def should_stop(self) -> bool:
        return self.cancel.is_set()


class TrainingWorker(QObject):
    """Runs one training; emits exactly one of finished, failed or cancelled."""

    finished = Signal(str, object, float)  # model path, model card, test accuracy
    failed = Signal(str)
    cancelled = Signal()
    status = Signal(str)

    def __init__(self, config: TrainConfig, data_choice: str, data_folder: str = "",
                 n_train: int | None = None, n_test: int | None = None) -> None:
        super().__init__()
        self.config, self.data_choice, self.data_folder = config, data_choice, data_folder
        self.n_train, self.n_test = n_train, n_test
        self.callbacks = QtCallbacks(config.epochs)

    def load_data(self):
        from digitpad import data

        if self.data_choice == "folder":
            return data.load_mnist(Path(self.data_folder))
        if self.data_choice == "download":
            from digitpad.models import user_dir

            self.status.emit("Downloading the full MNIST set…")
            return data.load_mnist(data.download_full_mnist(user_dir().parent / "mnist-full"))
        return data.load_mnist()

    @Slot()
    def run(self) -> None:
        from digitpad import train_job
        from digitpad.data import DatasetError
        from trainers.callbacks import TrainingCancelled, TrainingFailed
        from trainers.devices import DeviceUnavailable

        try:
            self.status.emit("Loading data…")
            dataset = self.load_data()
            if self.n_train or self.n_test:
                dataset = dataset.subset(self.n_train, self.n_test)
            self.status.emit(f"Training on {self.config.device}…")
            path, card, result = train_job.run(self.config, dataset, self.callbacks)
        except TrainingCancelled:
            self.cancelled.emit()
        except (DatasetError, DeviceUnavailable, TrainingFailed, ValueError, OSError) as err:
            self.failed.emit(str(err))
        except MemoryError:
            self.failed.emit("out of memory: lower the batch size")
        except Exception as err:  # anything else is reported too; the app must not crash
            self.failed.emit(f"{type(err).__name__}: {err}")
        else:
            self.finished.emit(str(path), card, result.test_accuracy)


class TrainingRun:
    """A worker on its own QThread, started at once; `stop()` cancels and joins."""

    def __init__(self, worker: TrainingWorker) -> None:
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName("digitpad-training")
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)
        for signal in (worker.finished, worker.failed, worker.cancelled):
            signal.connect(self.thread.quit)
        self.thread.start()

    def running(self) -> bool:
        return self.thread.isRunning()

    def cancel(self) -> None:
        self.worker.callbacks.cancel.set()

    def stop(self, timeout_ms: int = 120_000) -> bool:
        """Cancel and wait for the thread to end (it stops within one batch)."""
        self.cancel()
        self.thread.quit()
        return self.thread.wait(timeout_ms)
