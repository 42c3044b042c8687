"""Keras models read and trained through their PyTorch twins, as the CPU build (no TensorFlow)
does: the weights move over exactly, and back."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad import models, network
from digitpad.backends import keras_nets, torch_nets
from digitpad.backends.keras_torch import keras_to_torch, torch_to_keras
from digitpad.predictors import load_predictor


@pytest.mark.parametrize("arch", ["cnn", "mlp"])
def test_a_keras_network_reads_the_same_through_its_pytorch_twin(arch, mnist, tmp_path):
    keras_model = load_predictor("keras", models.default_model("keras", arch))
    images = mnist.test_x[:300].astype(np.float32) / 255
    layers = network.preset(arch).layers
    twin = keras_to_torch(keras_model.model.get_weights(), torch_nets.build(layers))
    expected, got = keras_model.predict(images), torch_nets.predict_proba(twin, images)
    assert np.abs(expected - got).max() < 1e-5
    assert (expected.argmax(1) == got.argmax(1)).all()
    back = torch_to_keras(twin)  # and back: what a training through the twin saves
    assert all(
        np.array_equal(a, b) for a, b in zip(back, keras_model.model.get_weights(), strict=True)
    )
    saved = tmp_path / f"twin_{arch}.keras"
    keras_nets.save(twin, layers, str(saved))  # a .keras file written from the PyTorch twin
    reread = keras_nets.load(str(saved))
    assert all(np.array_equal(a, b) for a, b in zip(reread.get_weights(), back, strict=True))


def test_the_runtime_without_tensorflow_reads_keras_files_through_pytorch(mnist):
    """The backend the CPU build gets for Keras files (keras_on_torch): the same file, the same
    card, the same answers as Keras on TensorFlow."""
    from digitpad.backends.keras_backend import BACKEND as ON_TENSORFLOW
    from digitpad.backends.keras_on_torch import BACKEND as ON_TORCH

    path = models.default_model("keras", "cnn")
    images = mnist.test_x[:200].astype(np.float32) / 255
    via_tf = ON_TENSORFLOW.load(path, models.read_card(path))
    via_torch = ON_TORCH.load(path, models.read_card(path))
    assert via_torch.backend == "keras" and via_torch.card.arch == via_tf.card.arch == "cnn"
    assert np.abs(via_tf.predict(images) - via_torch.predict(images)).max() < 1e-5
    assert "PyTorch twin" in via_torch.framework_summary()
    assert [d.id for d in ON_TORCH.devices()][0] == "cpu"
