"""One training run from settings to a saved model: shared by the CLI and the window's worker."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from digitpad import models
from trainers.callbacks import TrainingCallbacks, TrainResult
from trainers.config import TrainConfig


def trainer_for(backend: str):
    """The backend's trainer module (imported only now: it pulls in the framework)."""
    return import_module(f"trainers.{backend}_trainer")


def writer(backend: str, result: TrainResult, arch: str):
    """A function that writes the trained model to a given path, in the backend's format."""
    if backend == "torch":
        from trainers import torch_models

        return lambda tmp: torch_models.save(result.model, arch, str(tmp))
    from trainers import keras_models

    return lambda tmp: keras_models.save(result.model, arch, str(tmp))


def run(
    config: TrainConfig, data, callbacks: TrainingCallbacks, out: Path | None = None
) -> tuple[Path, models.ModelCard, TrainResult]:
    """Train, then save the model and its card atomically (a fresh user-folder file unless
    `out` is given). Nothing is written when training is cancelled or fails."""
    result = trainer_for(config.backend).train(config, data, callbacks)
    path = Path(out) if out else models.new_user_model_path(config.backend, config.arch)
    card = models.ModelCard(
        backend=config.backend, arch=config.arch, dataset=data.source,
        train_size=result.train_size, epochs=len(result.history),
        test_accuracy=round(result.test_accuracy, 6),
        config=config.as_dict() | {"seconds": round(result.seconds, 1)},
    )
    card = models.save(path, writer(config.backend, result, config.arch), card)
    return path, card, result
