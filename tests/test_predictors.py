"""The bundled models through the one predictor interface, and model files as untrusted data."""

import pickle

import numpy as np
import pytest

from digitpad.models import ModelFileError, default_model, read_card
from digitpad.predictors import load_any, load_predictor

BACKENDS = ["torch", "keras"]


@pytest.fixture(params=BACKENDS)
def predictor(request):
    return request.getfixturevalue(f"{request.param}_predictor")


def test_probabilities_are_valid_distributions(predictor, mnist):
    probs = predictor.predict(mnist.test_x[:64].astype(np.float32) / 255)
    assert probs.shape == (64, 10)
    assert np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    single = predictor.predict(np.zeros((1, 28, 28), np.float32))
    assert single.shape == (1, 10)


def test_bundled_cnns_pass_the_quality_gate(predictor, mnist):
    """Deterministic: the full 10,000-image MNIST test set, the committed model files."""
    probs = predictor.predict(mnist.test_x.astype(np.float32) / 255)
    accuracy = (probs.argmax(axis=1) == mnist.test_y).mean()
    assert accuracy >= 0.99, f"{predictor.backend} CNN: {accuracy:.2%}"
    assert predictor.card.test_accuracy == pytest.approx(accuracy, abs=0.002)


@pytest.fixture(scope="module")
def pen_training_digits() -> int:
    from digitpad import pendigits

    return len(pendigits.read(pendigits.default_path()))


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_bundled_model_has_a_complete_card(backend, mnist, pen_training_digits):
    for arch in ("cnn", "mlp"):
        path = default_model(backend, arch)
        card = read_card(path)
        assert (card.backend, card.arch, card.bundled) == (backend, arch, True)
        # the MNIST subset and the 30 writers' pen drawings, each drawn twice
        assert card.train_size == len(mnist.train_y) + 2 * pen_training_digits
        assert "pen drawings" in card.dataset
        assert card.epochs > 0 and card.sha256
        assert path.stat().st_size < 5 * 1024 * 1024
        assert card.test_accuracy >= (0.99 if arch == "cnn" else 0.97)


class Exploit:
    """Unpickling this would create `marker`: the classic malicious model file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_torch_file_that_runs_code_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps({"format": "digitpad-torch/1", "payload": Exploit(marker)}))
    with pytest.raises(ModelFileError, match="refused"):
        load_predictor("torch", evil)
    assert not marker.exists()
    # The same file with plain pickle would have run it: the test's exploit is real.
    pickle.loads(evil.read_bytes())
    assert marker.exists()


def test_keras_file_with_code_is_refused(tmp_path):
    from digitpad.backends.tf_import import keras as load_keras

    keras = load_keras()

    marker = tmp_path / "pwned"
    name = str(marker)
    inputs = keras.Input((28, 28))
    x = keras.layers.Lambda(lambda t: t * 0 + len(open(name, "w").name))(inputs)  # noqa: SIM115
    outputs = keras.layers.Dense(10)(keras.layers.Flatten()(x))
    evil = tmp_path / "evil.keras"
    keras.Model(inputs, outputs).save(evil)
    marker.unlink(missing_ok=True)  # building the model above called the lambda once
    with pytest.raises(ModelFileError, match="refused"):
        load_predictor("keras", evil)
    assert not marker.exists()


@pytest.mark.parametrize("suffix", [".pt", ".keras"])
def test_corrupt_model_file_is_a_clear_error(tmp_path, suffix):
    bad = tmp_path / f"corrupt{suffix}"
    bad.write_bytes(b"\x00\x01 not a model at all" * 50)
    with pytest.raises(ModelFileError, match="corrupt"):
        load_any(bad)


def test_file_that_differs_from_its_card_is_refused(tmp_path):
    import shutil

    source = default_model("torch", "mlp")
    copy = tmp_path / "copy.pt"
    shutil.copy(source, copy)
    shutil.copy(source.with_name(source.name + ".json"), tmp_path / "copy.pt.json")
    load_any(copy)  # an intact copy loads
    data = bytearray(copy.read_bytes())
    data[-10] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="does not match its model card"):
        load_any(copy)


def test_wrong_backend_or_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="keras model, not a torch one"):
        load_predictor("torch", default_model("keras"))
    with pytest.raises(ModelFileError, match="no such model file"):
        load_predictor("torch", tmp_path / "gone.pt")
    with pytest.raises(ModelFileError, match="not a model file"):
        load_any(tmp_path / "notes.txt")
