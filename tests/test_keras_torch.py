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
    assert all(np.array_equal(a, b) for a, b in zip(back, keras_model.model.get_weights(),
                                                    strict=True))
    saved = tmp_path / f"twin_{arch}.keras"
    keras_nets.save(twin, layers, str(saved))  # a .keras file written from the PyTorch twin
    reread = keras_nets.load(str(saved))
    assert all(np.array_equal(a, b) for a, b in zip(reread.get_weights(), back, strict=True))
