"""One training run from settings to a saved model and a kept run history: shared by the CLI
and the window's worker. The destination is checked before the first batch, so a bad one never
throws a run away."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from digitpad import atomic, backends, models, network, runs
from digitpad.errors import ModelFileError
from trainers import loop
from trainers.callbacks import TrainingCallbacks, TrainingCancelled, TrainResult
from trainers.config import TrainConfig
from trainers.tensorboard import TensorBoardLog, run_folder

logger = logging.getLogger("digitpad.training")


def check_destination(out: Path, backend: str) -> Path:
    """Refuse, before any work, a model path that could not be saved or loaded back."""
    out = Path(out)
    expected = backends.get(backend).suffix
    if out.is_dir():
        raise ModelFileError(f"{out}: is a folder; give a file name ending in {expected}")
    if out.suffix.lower() != expected:
        try:
            other = backends.for_path(out).label
        except ModelFileError:
            raise ModelFileError(
                f"{out}: unknown model file suffix; a {backends.label(backend)} model is "
                f"saved as a {expected} file"
            ) from None
        raise ModelFileError(
            f"{out}: {out.suffix} is for {other} models; a "
            f"{backends.label(backend)} model is saved as a {expected} file"
        )
    why = atomic.unwritable(out.parent)
    if why:
        raise ModelFileError(f"{out}: cannot write there ({why})")
    return out


def run(
    config: TrainConfig,
    data,
    callbacks: TrainingCallbacks,
    out: Path | None = None,
    tensorboard: Path | None = None,
) -> tuple[Path, models.ModelCard, TrainResult]:
    """Train, then save the model and its card as one unit (a fresh user-folder file unless
    `out` is given). No model is written when training is cancelled or fails, but the run is
    kept however it ends (digitpad.runs), with the epochs it reached. With `tensorboard`, the
    run is also logged there, in a folder of its own."""
    path = check_destination(
        out or models.new_user_model_path(config.backend, config.arch), config.backend
    )
    backend = backends.get(config.backend)
    device = backend.resolve_device(config.device)  # a refused device is no run to keep
    label = next((d.label for d in backend.devices() if d.id == device), device)
    recording = runs.Recording(callbacks, config, data.source, len(data.train_y), (device, label))
    try:
        result, card = _train_and_save(config, data, recording, path, tensorboard)
    except (TrainingCancelled, KeyboardInterrupt) as err:
        recording.end(
            runs.CANCELLED,
            reason="stopped with Ctrl+C" if isinstance(err, KeyboardInterrupt) else "",
        )
        raise
    except BaseException as err:
        recording.end(runs.FAILED, reason=str(err) or type(err).__name__)
        raise
    recording.end(runs.FINISHED, result.test_accuracy, path, seconds=result.seconds)
    logger.info(
        "trained %s %s (%s) for %d epochs in %.0f s: test accuracy %.4f, saved %s",
        config.backend,
        config.arch,
        network.format_layers(config.network),
        len(result.history),
        result.seconds,
        result.test_accuracy,
        path,
    )
    return path, card, result


def _train_and_save(
    config: TrainConfig, data, callbacks: TrainingCallbacks, path: Path, tensorboard: Path | None
) -> tuple[TrainResult, models.ModelCard]:
    log = None
    if tensorboard is not None:
        log = TensorBoardLog(callbacks, run_folder(tensorboard, config), config)
        callbacks = log
    try:
        result = loop.train(config, data, callbacks)
        if log is not None:
            log.scalar("test/accuracy", result.test_accuracy, len(result.history))
    finally:
        if log is not None:
            log.close()
    card = models.ModelCard(
        backend=config.backend,
        arch=config.arch,
        network=network.to_json(config.network),
        params=network.totals(network.plan(config.network))[0],
        dataset=data.source,
        train_size=result.train_size,
        epochs=len(result.history),
        test_accuracy=round(result.test_accuracy, 6),
        config=config.as_dict() | {"seconds": round(result.seconds, 1)},
    )
    card.name = retrained_name(card)
    backend = backends.get(config.backend)
    with atomic.uninterrupted():  # Ctrl-C now would only lose the finished run
        card = models.save(path, lambda tmp: backend.save(result.model, config.network, tmp), card)
    return result, card


def retrained_name(card: models.ModelCard, when: datetime | None = None) -> str:
    """A new model's own name ("PyTorch CNN · retrained 2026-12-01 22:11"): without one it was
    "PyTorch CNN" in the status bar, Evaluate and About, like the bundled model."""
    stamp = (when or datetime.now()).strftime("%Y-%m-%d %H:%M")
    return f"{card.title} · retrained {stamp}"
