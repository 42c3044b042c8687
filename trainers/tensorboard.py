"""Training runs logged for TensorBoard, where people who train models compare runs.

Wraps any callbacks: every batch's loss and every epoch's metrics go to an event file in a
folder of their own (one per run, named by time, backend and architecture), the run's settings
to `config.json` beside it, and the final test accuracy at the end. Written with the
`tensorboard` package's record writer and event protos into a plain file: its higher-level
EventFileWriter imports TensorFlow, which a PyTorch run must not load (and which, loaded before
torch's triton, crashes the process; see digitpad.backends.tf_import).
"""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import datetime
from importlib.util import find_spec
from pathlib import Path

from digitpad import atomic
from digitpad.errors import Unsupported
from trainers.callbacks import TrainingCallbacks
from trainers.config import TrainConfig


def check_available(root: Path | None = None) -> None:
    """Unsupported, with what to install or what is wrong with `root` (the folder the runs
    go in, made if missing), before a run is started that could not be logged."""
    if find_spec("tensorboard") is None:
        raise Unsupported(
            "logging to TensorBoard needs the 'tensorboard' package: "
            "pip install 'digitpad[tensorboard]'"
        )
    why = atomic.unwritable(root) if root is not None else None
    if why:
        raise Unsupported(f"{root}: cannot write the TensorBoard log there ({why})")


def run_folder(root: Path, config: TrainConfig) -> Path:
    """A new folder under `root` for one run: TensorBoard lists runs by folder name."""
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    folder = Path(root) / f"{stamp}_{config.backend}_{config.arch}"
    n = 1
    while folder.exists():
        n += 1
        folder = Path(root) / f"{stamp}_{config.backend}_{config.arch}_{n}"
    return folder


class TensorBoardLog:
    """Callbacks that write the run to TensorBoard, then pass everything on to `inner`."""

    def __init__(self, inner: TrainingCallbacks, folder: Path, config: TrainConfig) -> None:
        check_available(Path(folder).parent)
        from tensorboard.summary.writer.record_writer import RecordWriter

        self.inner, self.folder = inner, Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "config.json").write_text(
            json.dumps(config.as_dict(), indent=2) + "\n", encoding="utf-8"
        )
        name = f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{os.getpid()}"
        self._file = (self.folder / name).open("wb")
        self._records = RecordWriter(self._file)
        self._write(file_version="brain.Event:2")

    def on_batch(self, epoch: int, step: int, steps: int, loss: float) -> None:
        self.scalar("batch/loss", loss, epoch * steps + step)
        self.inner.on_batch(epoch, step, steps, loss)

    def on_epoch(self, epoch: int, metrics: dict[str, float]) -> None:
        for name, value in metrics.items():
            self.scalar(f"epoch/{name}", value, epoch + 1)
        self._records.flush()
        self.inner.on_epoch(epoch, metrics)

    def should_stop(self) -> bool:
        return self.inner.should_stop()

    def scalar(self, tag: str, value: float, step: int) -> None:
        from tensorboard.compat.proto.summary_pb2 import Summary

        self._write(
            step=int(step),
            summary=Summary(value=[Summary.Value(tag=tag, simple_value=float(value))]),
        )

    def _write(self, **fields) -> None:
        from tensorboard.compat.proto.event_pb2 import Event

        self._records.write(Event(wall_time=time.time(), **fields).SerializeToString())

    def close(self) -> None:
        self._records.flush()
        self._file.close()
