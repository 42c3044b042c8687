"""Every training run kept: its settings, network, device, each epoch's metrics and time, and how
it ended (finished with a test accuracy and a saved model, cancelled after N epochs, or failed
and why), one small JSON file per run in the runs folder, so runs can be listed and compared.

`Recording` is the callbacks object `train_job.run` trains through (the CLI's and the window's
training both go there): it passes everything on and keeps the epochs. A run file is data from
disk, checked field by field like a model card when read; one that is damaged or hostile is
skipped and named, never the end of the list. No Qt and no framework here.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digitpad import atomic, card, network, paths
from trainers.callbacks import TrainingCallbacks

if TYPE_CHECKING:
    from trainers.config import TrainConfig

VERSION = 1  # the run file format written now
FINISHED, CANCELLED, FAILED = "finished", "cancelled", "failed"
STATUSES = (FINISHED, CANCELLED, FAILED)
MAX_BYTES = 4_000_000  # far above any real run (1000 epochs are ~150 kB); a bigger file is refused
METRICS = ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds")  # CSV order
log = logging.getLogger("digitpad.runs")


class RunError(ValueError):
    """A run file cannot be used; the message says which field and why."""


@dataclass
class Run:
    started: str  # local time to the millisecond with its offset, ISO 8601 (sorts as text
    # within one zone; two short runs often start within one second)
    status: str
    backend: str
    arch: str
    network: list = field(default_factory=list)  # the layers (digitpad.network.to_json)
    config: dict = field(default_factory=dict)  # TrainConfig.as_dict()
    device: str = ""  # the backend's id of the device it trained on ("cuda:0")
    device_label: str = ""  # what that device is ("CUDA 0: NVIDIA H200")
    dataset: str = ""
    images: int = 0  # training images given (the validation share included)
    epochs: list = field(default_factory=list)  # per epoch: METRICS (and any others measured)
    test_accuracy: float | None = None  # measured when the run finished
    seconds: float = 0.0
    model: str = ""  # the saved model file, when there is one
    reason: str = ""  # why it failed or stopped
    version: int = VERSION
    path: Path | None = field(default=None, compare=False)  # where it is kept (not stored)

    @property
    def id(self) -> str:
        """The run's name: its file name without `.json` (what `digitpad runs --csv` takes)."""
        return self.path.stem if self.path else ""

    @property
    def network_name(self) -> str:
        """A preset's short name ("CNN"), else the layers in the short text form."""
        from digitpad.network.presets import PRESETS

        if self.arch in PRESETS:
            return PRESETS[self.arch].short
        return str(self.config.get("layers") or self.arch)

    @property
    def title(self) -> str:
        """What a legend or a list calls the run: backend, network and when it started."""
        from digitpad.backends import label

        return f"{label(self.backend)} {self.network_name}, {self.started[5:16].replace('T', ' ')}"

    def to_json(self) -> dict[str, Any]:
        fields = asdict(self)
        fields.pop("path")
        return fields


def _status(value: Any) -> str | None:
    return None if value in STATUSES else f"one of {', '.join(STATUSES)}"


def _epochs(value: Any) -> str | None:
    if not isinstance(value, list):
        return "a list of epochs"
    for n, metrics in enumerate(value, 1):
        if wanted := card.scores(metrics):
            return f"a list of epochs with {wanted} (epoch {n} is not)"
    return None


def _seconds(value: Any) -> str | None:
    return None if card.number(value) else "a number of seconds >= 0"


SCHEMA = {
    "started": card.text,
    "status": _status,
    "backend": card.text,
    "arch": card.text,
    "network": card.layer_list,
    "config": card.mapping,
    "device": card.text,
    "device_label": card.text,
    "dataset": card.text,
    "images": card.count,
    "epochs": _epochs,
    "test_accuracy": card.maybe_share,
    "seconds": _seconds,
    "model": card.text,
    "reason": card.text,
    "version": card.format_version(VERSION),
}
REQUIRED = ("started", "status", "backend", "arch", "epochs")


def from_json(raw: Any) -> Run:
    """A run from its parsed JSON; RunError names the first field that is wrong."""
    raw = card.check_fields(raw, SCHEMA, REQUIRED, RunError)
    return Run(**{k: raw[k] for k in SCHEMA if k in raw})


def load(path: Path) -> Run:
    """The run kept in `path`; RunError (naming the file) if it is not a usable run file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        raw = json.loads(path.read_text(encoding="utf-8")) if size <= MAX_BYTES else None
    except (OSError, ValueError, RecursionError) as err:  # unreadable, not UTF-8, not JSON
        raise RunError(f"{path}: unreadable run file ({type(err).__name__}: {err})") from err
    if size > MAX_BYTES:
        raise RunError(f"{path}: too big for a run file ({size:,} bytes)")
    try:
        run = from_json(raw)
    except RunError as err:
        raise RunError(f"{path}: not a valid run file: {err}") from err
    run.path = path
    return run


def list_runs(
    skipped: list[tuple[Path, str]] | None = None, folder: Path | None = None
) -> list[Run]:
    """Every kept run, newest first. A file that is not a valid run is left out, and `skipped`
    (if given) gets its path and why, so one damaged file cannot hide the others."""
    folder = Path(folder) if folder else paths.runs_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json")):
        if path.name.startswith("."):  # partial files of a write in progress
            continue
        try:
            found.append(load(path))
        except RunError as err:
            log.warning("skipped a run file: %s", err)
            if skipped is not None:
                skipped.append((path, str(err)))
    return sorted(found, key=lambda r: (r.started, r.id), reverse=True)


def find(run_id: str, folder: Path | None = None) -> Run:
    """The run of that id (its file name, with or without `.json`); RunError if none."""
    folder = Path(folder) if folder else paths.runs_dir()
    name = Path(run_id).name.removesuffix(".json")
    path = folder / f"{name}.json"
    if not name or name.startswith(".") or not path.is_file():
        raise RunError(f"no run {run_id!r} in {folder} (`digitpad runs` lists them)")
    return load(path)


def save(run: Run, folder: Path | None = None) -> Path:
    """Keep `run` in a new file named by its start, backend and network, written whole or not
    at all; its path is set and returned."""
    folder = Path(folder) if folder else paths.runs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = run.started[:19].replace("-", "").replace(":", "").replace("T", "-")
    data = (json.dumps(run.to_json(), indent=1) + "\n").encode("utf-8")
    with atomic.locked(folder / "runs"):  # two processes never pick the same name
        base, n = f"{stamp}-{run.backend}-{run.arch}", 1
        path = folder / f"{base}.json"
        while path.exists():
            n += 1
            path = folder / f"{base}-{n}.json"
        atomic.atomic_write_bytes(path, data)
    run.path = path
    return path


def delete(run: Run) -> None:
    """Forget a run (its model file, if any, stays)."""
    if run.path is not None:
        run.path.unlink(missing_ok=True)


def columns(runs: list[Run]) -> list[str]:
    """The CSV's columns: what names the run, then every metric any of the runs measured."""
    measured = {k for run in runs for epoch in run.epochs for k in epoch}
    return [
        "run",
        "backend",
        "network",
        "status",
        "epoch",
        *[k for k in METRICS if k in measured],
        *sorted(measured - set(METRICS)),
    ]


def csv_text(runs: list[Run]) -> str:
    """One row per epoch of each run (an epoch is 1 for the first), for a spreadsheet."""
    out = io.StringIO()
    names = columns(runs)
    writer = csv.DictWriter(out, names, restval="", lineterminator="\n")
    writer.writeheader()
    for run in runs:
        named = {
            "run": run.id,
            "backend": run.backend,
            "network": run.network_name,
            "status": run.status,
        }
        for n, metrics in enumerate(run.epochs, 1):
            writer.writerow(named | {"epoch": n} | {k: f"{v:.6g}" for k, v in metrics.items()})
    return out.getvalue()


def write_csv(runs: list[Run], path: Path) -> Path:
    """The runs' histories as a CSV file, written whole or not at all."""
    atomic.atomic_write_bytes(Path(path), csv_text(runs).encode("utf-8"))
    return Path(path)


class Recording:
    """The run being trained: passes every callback on to `inner` and keeps each epoch's
    metrics and time, so that `end` can keep the run however it ended."""

    def __init__(
        self,
        inner: TrainingCallbacks,
        config: TrainConfig,
        dataset: str,
        images: int,
        device: tuple[str, str],
    ) -> None:
        self.inner = inner
        self.run = Run(
            started=datetime.now().astimezone().isoformat(timespec="milliseconds"),
            status=FINISHED,
            backend=config.backend,
            arch=config.arch,
            network=network.to_json(config.network),
            config=config.as_dict(),
            device=device[0],
            device_label=device[1],
            dataset=dataset,
            images=images,
        )
        self._started = self._last = time.perf_counter()

    def on_batch(self, epoch: int, step: int, steps: int, loss: float) -> None:
        self.inner.on_batch(epoch, step, steps, loss)

    def on_epoch(self, epoch: int, metrics: dict[str, float]) -> None:
        now = time.perf_counter()
        kept = {k: float(v) for k, v in metrics.items() if math.isfinite(v) and v >= 0}
        self.run.epochs.append(kept | {"seconds": round(now - self._last, 3)})
        self._last = now
        self.inner.on_epoch(epoch, metrics)

    def should_stop(self) -> bool:
        if not self.run.epochs and self._last == self._started:  # before the first batch:
            self._last = time.perf_counter()  # the first epoch's time leaves out the set-up
        return self.inner.should_stop()

    def end(
        self,
        status: str,
        test_accuracy: float | None = None,
        model: Path | None = None,
        reason: str = "",
        seconds: float | None = None,
    ) -> Path | None:
        """Keep the run; returns its file. A runs folder that cannot be written costs the
        record (logged), never the training or the model."""
        run = self.run
        run.status, run.reason, run.model = status, reason, str(model) if model else ""
        run.test_accuracy = None if test_accuracy is None else round(float(test_accuracy), 6)
        run.seconds = round(time.perf_counter() - self._started if seconds is None else seconds, 2)
        try:
            return save(run)
        except OSError as err:
            log.warning("could not keep the training run in %s: %s", paths.runs_dir(), err)
            return None
