"""The one training loop, for every backend that can train.

The loop owns what is the same everywhere: the device check, seeding, the split, shuffling,
batching, the learning-rate schedule, the cancel check before every batch, the NaN check, held-out
metrics, the history and the result. A backend only brings a `Learner` (network + optimizer on a
device) that takes one step on a batch at a given learning rate.
"""

from __future__ import annotations

import time

import numpy as np

from digitpad import backends
from trainers.augment import epochs_of
from trainers.callbacks import (
    TrainingCallbacks,
    TrainingCancelled,
    TrainingFailed,
    TrainResult,
    check_loss,
)
from trainers.config import TrainConfig
from trainers.dataset import accuracy, held_out_metrics, prepare, steps_per_epoch
from trainers.schedule import learning_rate


def train(config: TrainConfig, data, callbacks: TrainingCallbacks, start=None) -> TrainResult:
    """Train a fresh `config.network`, or fine-tune a copy of `start` (a loaded model of
    the backend); raises TrainingCancelled or TrainingFailed."""
    backend = backends.get(config.backend)
    device = backend.resolve_device(config.device)  # refuse an unusable device before any work
    started = time.perf_counter()
    splits = prepare(data, config)
    n, batch = len(splits.train_x), config.batch_size
    steps = steps_per_epoch(n, batch)
    total = steps * config.epochs
    history: list[dict[str, float]] = []
    learner = None
    try:
        learner = backend.learner(config.network, config.optimizer, device, config.seed, start)
        shuffle = np.random.default_rng(config.seed)
        epochs = epochs_of(splits.train_x, config.augment, config.seed, config.epochs)
        for epoch, images in enumerate(epochs):
            order = shuffle.permutation(n)
            loss_sum, correct = 0.0, 0
            for step in range(steps):
                if callbacks.should_stop():
                    raise TrainingCancelled("training was cancelled")
                idx = order[step * batch : (step + 1) * batch]
                lr = learning_rate(config.lr, epoch * steps + step, total)
                loss, right = learner.step(images[idx], splits.train_y[idx], lr)
                check_loss(loss, epoch, step)
                loss_sum += loss * len(idx)
                correct += right
                callbacks.on_batch(epoch, step, steps, loss)
            metrics = {"loss": loss_sum / n, "accuracy": correct / n, "lr": learner.learning_rate()}
            metrics.update(held_out_metrics(learner.predict, splits, config))
            history.append(metrics)
            callbacks.on_epoch(epoch, metrics)
        test_accuracy = accuracy(learner.predict(splits.test_x), splits.test_y)
        model = learner.trained()
    except (TrainingCancelled, TrainingFailed):
        raise
    except Exception as err:
        explained = backend.explain_failure(err, device)
        if explained is None:
            raise
        raise TrainingFailed(explained) from err
    finally:
        if learner is not None:
            learner.release()
    return TrainResult(
        model=model,
        history=history,
        test_accuracy=test_accuracy,
        seconds=time.perf_counter() - started,
        train_size=n,
    )
