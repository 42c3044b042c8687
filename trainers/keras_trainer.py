"""Keras training: `model.fit` on arrays, one epoch per call so each epoch gets fresh
augmentation, with a callback that forwards progress and honours cancellation."""

from __future__ import annotations

import time

import numpy as np

from trainers import keras_models
from trainers.augment import epochs_of
from trainers.callbacks import (
    TrainingCallbacks,
    TrainingCancelled,
    TrainingFailed,
    TrainResult,
    check_loss,
)
from trainers.config import TrainConfig
from trainers.dataset import (
    WARMUP_FRACTION,
    accuracy,
    held_out_metrics,
    prepare,
    steps_per_epoch,
)
from trainers.devices import resolve


def _optimizer(config: TrainConfig, total_steps: int):
    from trainers.frameworks import keras as load_keras

    keras = load_keras()

    warm = max(1, int(total_steps * WARMUP_FRACTION))
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=config.lr / warm, decay_steps=max(1, total_steps - warm),
        warmup_target=config.lr, warmup_steps=warm, alpha=0.0,
    )
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True)
    if config.optimizer == "adamw":
        return keras.optimizers.AdamW(schedule, weight_decay=1e-4)
    return keras.optimizers.Adam(schedule)


def _bridge(callbacks: TrainingCallbacks, epoch_ref: list[int], steps: int):
    """A keras Callback forwarding batches to `callbacks` and stopping on cancel or NaN."""
    from trainers.frameworks import keras as load_keras

    keras = load_keras()

    class Bridge(keras.callbacks.Callback):
        cancelled = False
        failure: TrainingFailed | None = None

        def on_train_batch_begin(self, batch, logs=None):
            if callbacks.should_stop():
                self.cancelled = True
                self.model.stop_training = True

        def on_train_batch_end(self, batch, logs=None):
            loss = float((logs or {}).get("loss", 0.0))
            try:
                check_loss(loss, epoch_ref[0], batch)
            except TrainingFailed as err:
                self.failure = err
                self.model.stop_training = True
                return
            callbacks.on_batch(epoch_ref[0], batch, steps, loss)
            if callbacks.should_stop():
                self.cancelled = True
                self.model.stop_training = True

    return Bridge()


def train(config: TrainConfig, data, callbacks: TrainingCallbacks) -> TrainResult:
    """Train a fresh `config.arch` network; raises TrainingCancelled or TrainingFailed."""
    from trainers.frameworks import keras as load_keras

    keras = load_keras()
    from trainers.frameworks import tensorflow

    tf = tensorflow()

    device = resolve("keras", config.device)  # refuse an unusable device before any work
    started = time.perf_counter()
    keras.utils.set_random_seed(config.seed)
    splits = prepare(data, config)
    n = len(splits.train_x)
    steps = steps_per_epoch(n, config.batch_size)
    epoch_ref = [0]
    bridge = _bridge(callbacks, epoch_ref, steps)
    history: list[dict[str, float]] = []
    try:
        with tf.device("/" + device.upper()):
            model = keras_models.build(config.arch)
            model.compile(
                optimizer=_optimizer(config, steps * config.epochs),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"],
            )
            probabilities = keras_models.logits_fn(model)
            predict = lambda images: keras_models.predict_proba(model, images, fn=probabilities)  # noqa: E731
            epoch_images = epochs_of(splits.train_x, config.augment, config.seed, config.epochs)
            for epoch, images in enumerate(epoch_images):
                epoch_ref[0] = epoch
                if callbacks.should_stop():
                    raise TrainingCancelled("training was cancelled")
                fit = model.fit(
                    images, splits.train_y, batch_size=config.batch_size, epochs=1,
                    shuffle=True, verbose=0, callbacks=[bridge],
                )
                if bridge.failure:
                    raise bridge.failure
                if bridge.cancelled:
                    raise TrainingCancelled("training was cancelled")
                metrics = {"loss": float(fit.history["loss"][-1]),
                           "accuracy": float(fit.history["accuracy"][-1])}
                metrics.update(held_out_metrics(predict, splits, config))
                history.append(metrics)
                callbacks.on_epoch(epoch, metrics)
            test_accuracy = accuracy(predict(splits.test_x), splits.test_y)
    except tf.errors.ResourceExhaustedError as err:
        raise TrainingFailed(f"out of memory on {device}: lower the batch size") from err
    except tf.errors.OpError as err:
        raise TrainingFailed(f"training failed on {device}: {err.message}") from err
    return TrainResult(
        model=model, history=history, test_accuracy=test_accuracy,
        seconds=time.perf_counter() - started, train_size=n,
    )


def training_step_check(arch: str = "mlp") -> float:
    """One real training batch on the CPU (for `--self-test`): returns its finite loss."""
    from trainers.frameworks import keras as load_keras

    keras = load_keras()

    keras.utils.set_random_seed(0)
    model = keras_models.build(arch)
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.random.default_rng(0).random((32, 28, 28), dtype=np.float32)
    return float(model.train_on_batch(x, np.arange(32) % 10))
