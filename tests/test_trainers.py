"""Both trainers, for real, on small MNIST slices."""

import numpy as np
import pytest

from digitpad import backends, train_job
from digitpad.errors import DeviceUnavailable
from trainers import loop
from trainers.callbacks import SilentCallbacks, TrainingCancelled, TrainingFailed
from trainers.config import ConfigError, TrainConfig
from trainers.schedule import learning_rate

BACKENDS = ["torch", "keras"]


class Recorder(SilentCallbacks):
    """Counts batches and epochs, and asks to stop after `stop_after` batches."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.batches, self.epochs, self.stop_after = [], [], stop_after

    def on_batch(self, epoch, step, steps, loss):
        self.batches.append((epoch, step, steps, loss))

    def on_epoch(self, epoch, metrics):
        self.epochs.append(metrics)

    def should_stop(self):
        return self.stop_after is not None and len(self.batches) >= self.stop_after


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("arch", ["mlp", "cnn"])
def test_one_epoch_on_a_thousand_images_beats_chance(mnist, backend, arch):
    data = mnist.subset(1000, 1000)
    config = TrainConfig(backend=backend, arch=arch, epochs=1, batch_size=32, val_split=0.1)
    rec = Recorder()
    result = loop.train(config, data, rec)
    assert result.test_accuracy > 0.5  # chance is 0.1
    assert len(rec.epochs) == 1
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(rec.epochs[0])
    steps = rec.batches[-1][2]
    assert steps == 29 and len(rec.batches) == steps  # 900 images in batches of 32


@pytest.mark.parametrize("backend", BACKENDS)
def test_cancel_stops_within_one_batch_and_saves_nothing(mnist, backend, private_home):
    rec = Recorder(stop_after=3)
    config = TrainConfig(backend=backend, arch="mlp", epochs=3, batch_size=16)
    with pytest.raises(TrainingCancelled):
        train_job.run(config, mnist.subset(2000, 100), rec)
    assert len(rec.batches) == 3
    assert not (private_home / "models").exists() or not any((private_home / "models").iterdir())


@pytest.mark.parametrize("backend", BACKENDS)
def test_nan_loss_stops_training_with_a_message(mnist, backend):
    # A learning rate of 10 with plain SGD makes the loss diverge within two epochs.
    config = TrainConfig(
        backend=backend, arch="mlp", epochs=2, lr=10, optimizer="sgd", augment=False
    )
    rec = Recorder()
    with pytest.raises(TrainingFailed, match="loss became nan.*lower learning rate"):
        loop.train(config, mnist.subset(1000, 10), rec)
    assert len(rec.epochs) < 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_unavailable_device_is_refused_before_training(mnist, backend):
    rec = Recorder()
    config = TrainConfig(backend=backend, arch="mlp", epochs=1, device="cuda:7")
    with pytest.raises(DeviceUnavailable, match="cuda:7.*usable: cpu"):
        loop.train(config, mnist.subset(100, 10), rec)
    assert rec.batches == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_seed_same_model_on_cpu(mnist, backend):
    """Also: a trained model is its own, untouched by the next training (Keras reuses one traced
    training step for every run, since TensorFlow keeps part of each trace's memory)."""
    config = TrainConfig(backend=backend, arch="mlp", epochs=1, batch_size=64, seed=3)
    data = mnist.subset(500, 300)
    first = loop.train(config, data, Recorder())
    kept = weights(first.model)
    second = loop.train(config, data, Recorder())
    assert first.history == second.history
    assert first.test_accuracy == second.test_accuracy
    for before, after, again in zip(kept, weights(first.model), weights(second.model), strict=True):
        np.testing.assert_array_equal(before, after)
        np.testing.assert_array_equal(before, again)
    other = loop.train(
        TrainConfig(backend=backend, arch="mlp", epochs=1, batch_size=64, seed=4), data, Recorder()
    )
    assert not np.array_equal(weights(other.model)[0], kept[0])


def weights(model) -> list[np.ndarray]:
    if hasattr(model, "state_dict"):
        return [t.detach().cpu().numpy().copy() for t in model.state_dict().values()]
    return [np.array(w) for w in model.get_weights()]


def test_cpu_is_always_listed():
    for backend in BACKENDS:
        devices = backends.get(backend).devices()
        assert devices[0].id == "cpu"


def test_both_backends_follow_the_one_schedule(mnist):
    """The learning rate each framework's optimizer actually used at the end of every epoch is
    the shared schedule's, in both backends (warm-up, then cosine decay to zero)."""
    data = mnist.subset(256, 50)
    config = dict(arch="mlp", epochs=4, batch_size=32, lr=3e-3, val_split=0, augment=False)
    steps = 8
    expected = [learning_rate(3e-3, (e + 1) * steps - 1, 4 * steps) for e in range(4)]
    for backend in BACKENDS:
        rec = Recorder()
        loop.train(TrainConfig(backend=backend, **config), data, rec)
        used = [m["lr"] for m in rec.epochs]
        assert used == pytest.approx(expected, rel=1e-5), backend
    assert expected[0] > expected[1] > expected[2] > expected[3] >= 0


def test_batch_loss_means_the_same_in_both_backends(mnist):
    """The chart gets each batch's own loss from both (not a running mean): an untrained
    network starts near ln(10) and, with a high learning rate, later batches differ a lot."""
    data = mnist.subset(512, 50)
    for backend in BACKENDS:
        rec = Recorder()
        loop.train(
            TrainConfig(
                backend=backend, arch="mlp", epochs=1, batch_size=32, val_split=0, augment=False
            ),
            data,
            rec,
        )
        losses = [b[3] for b in rec.batches]
        assert losses[0] == pytest.approx(np.log(10), abs=0.5), backend
        assert np.mean(losses) == pytest.approx(rec.epochs[0]["loss"], rel=1e-4), backend


def test_bad_settings_are_refused_with_a_message():
    with pytest.raises(ConfigError, match="learning rate"):
        TrainConfig(lr=0)
    with pytest.raises(ConfigError, match="no network called .resnet."):
        TrainConfig(arch="resnet")
    with pytest.raises(ConfigError, match="validation split"):
        TrainConfig(val_split=0.95)


@pytest.mark.parametrize("backend", BACKENDS)
def test_training_run_saves_model_and_card_that_load_back(mnist, backend, tmp_path):
    from digitpad.models import read_card, sha256_of
    from digitpad.predictors import load_any

    out = tmp_path / ("m.pt" if backend == "torch" else "m.keras")
    config = TrainConfig(backend=backend, arch="mlp", epochs=1, val_split=0)
    path, card, result = train_job.run(config, mnist.subset(800, 500), Recorder(), out)
    assert path == out and out.is_file()
    on_disk = read_card(out)
    assert on_disk.sha256 == sha256_of(out)
    assert on_disk.test_accuracy == pytest.approx(result.test_accuracy, abs=1e-6)
    assert on_disk.train_size == 800 and on_disk.arch == "mlp" and on_disk.backend == backend
    predictor = load_any(out)
    probs = predictor.predict(mnist.test_x[:500].astype(np.float32) / 255)
    assert (probs.argmax(1) == mnist.test_y[:500]).mean() == pytest.approx(
        result.test_accuracy, abs=0.01
    )
    assert not list(tmp_path.glob("*.partial*"))
