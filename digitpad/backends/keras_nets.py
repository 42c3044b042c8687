"""The Keras networks, layer for layer the same as `torch_nets` (names, sizes, order)."""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from functools import cache

import numpy as np

from digitpad.backends.base import ARCHS, PREDICT_BATCH

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def build(arch: str):  # -> keras.Model (keras is imported lazily)
    """`mlp`: the classic 784-128-64-10 tutorial network. `cnn`: two double-conv blocks with
    batch norm and max-pooling, then a 128-unit dense layer with dropout (about 470k weights).
    Only built-in layers, so files load with `safe_mode=True` and no custom code."""
    from digitpad.backends.tf_import import keras as load_keras

    keras = load_keras()
    return keras.Sequential([keras.Input((28, 28)), *_layers(arch)], name=f"digitpad_{arch}")


def _layers(arch: str) -> list:  # -> [keras.layers.Layer], not built yet (no weights)
    from digitpad.backends.tf_import import keras as load_keras

    layers = load_keras().layers

    standardize = layers.Rescaling(1.0 / MNIST_STD, offset=-MNIST_MEAN / MNIST_STD)
    if arch == "mlp":
        body = [
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10),
        ]
    elif arch == "cnn":
        body = [layers.Reshape((28, 28, 1))]
        for filters in (32, 32, "pool", 64, 64, "pool"):
            if filters == "pool":
                body.append(layers.MaxPooling2D(2))
                continue
            body += [
                layers.Conv2D(filters, 3, padding="same", use_bias=False),
                layers.BatchNormalization(momentum=0.9, epsilon=1e-5),
                layers.ReLU(),
            ]
        body += [
            layers.Flatten(),
            layers.Dense(128, use_bias=False),
            layers.BatchNormalization(momentum=0.9, epsilon=1e-5),
            layers.ReLU(),
            layers.Dropout(0.3),
            layers.Dense(10),
        ]
    else:
        raise ValueError(f"unknown architecture {arch!r}")
    return [standardize, *body]


# The settings of a layer that decide what it computes and the shapes of its weights (with the
# input, 28x28, checked on its own). Names, initialisers and training-only settings are left out.
COMPUTING = ("units", "filters", "kernel_size", "use_bias", "activation", "padding", "strides",
             "dilation_rate", "groups", "data_format", "pool_size", "scale", "offset", "center",
             "axis", "epsilon", "target_shape", "max_value", "negative_slope", "threshold", "rate")


def layer_signature(layers: list) -> tuple[str, ...]:
    """What each layer is and computes, names left out: two networks of the same layers, in the
    same order, with equal signatures are the same network, whatever they are called."""
    out = []
    for layer in layers:
        config = layer.get_config()
        settings = {k: config[k] for k in COMPUTING if k in config}
        out.append(json.dumps([type(layer).__name__, settings], sort_keys=True, default=list))
    return tuple(out)


@cache
def _signature(arch: str) -> tuple[str, ...]:
    return layer_signature(_layers(arch))  # unbuilt layers: a few ms, not 0.28 s for the CNN


def arch_of(model) -> str:
    """Which of digitpad's architectures a loaded model is, from its layers (the name a file
    gives itself proves nothing), or "custom"."""
    found = layer_signature(model.layers)
    return next((arch for arch in ARCHS if _signature(arch) == found), "custom")


def logits_fn(model):
    """A traced function calling the model directly: no `Model.predict()` per drawing."""
    from digitpad.backends.tf_import import tensorflow

    tf = tensorflow()

    @tf.function(input_signature=[tf.TensorSpec([None, 28, 28], tf.float32)], autograph=False)
    def probabilities(x):
        return tf.nn.softmax(model(x, training=False), axis=-1)

    return probabilities


def input_gradient_fn(model):
    """A traced function: (1, 28, 28) image, digit -> input x gradient of that digit's logit."""
    from digitpad.backends.tf_import import tensorflow

    tf = tensorflow()

    @tf.function(input_signature=[tf.TensorSpec([1, 28, 28], tf.float32),
                                  tf.TensorSpec([], tf.int32)], autograph=False)
    def gradient(x, digit):
        with tf.GradientTape() as tape:
            tape.watch(x)
            logit = model(x, training=False)[0, digit]
        return tape.gradient(logit, x) * x

    return gradient


def predict_proba(model, images: np.ndarray, batch: int = PREDICT_BATCH, fn=None) -> np.ndarray:
    """Class probabilities for (N, 28, 28) float32 images."""
    fn = fn or logits_fn(model)
    out = [
        fn(np.ascontiguousarray(images[s : s + batch], np.float32)).numpy()
        for s in range(0, len(images), batch)
    ]
    return np.concatenate(out) if out else np.zeros((0, 10), np.float32)


def save(model, arch: str, path: str) -> None:
    """The weights in a fresh, uncompiled copy of the network: no optimizer state (which would
    triple the file) and nothing but built-in layers."""
    if hasattr(model, "get_weights"):
        weights = model.get_weights()
    else:  # trained as its PyTorch twin, where TensorFlow is absent
        from digitpad.backends.keras_torch import torch_to_keras

        weights = torch_to_keras(model)
    clean = build(arch)
    clean.set_weights(weights)
    clean.save(path)


KERAS_FORMATS = {"onnx": "onnx", "tflite": "litert", "savedmodel": "tf_saved_model"}


def export(model, fmt: str, path: str) -> None:
    """ONNX, TFLite or SavedModel of the network with its softmax (what `predict` gives), one
    input "image" of (batch, 28, 28)."""
    from digitpad.backends.tf_import import keras as load_keras

    keras = load_keras()
    image = keras.Input((28, 28), name="image")
    probabilities = keras.layers.Softmax(name="probabilities")(model(image, training=False))
    wrapped = keras.Model(image, probabilities, name=model.name)
    wrapped(np.zeros((1, 28, 28), np.float32))  # the exporters want a model that has run
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")  # converters' deprecation notes
        wrapped.export(path, format=KERAS_FORMATS[fmt], verbose=False)


def load(path: str):
    """Load a `.keras` file as data: safe mode refuses lambdas and other embedded code."""
    from digitpad.backends.tf_import import keras as load_keras

    keras = load_keras()

    return keras.saving.load_model(path, compile=False, safe_mode=True)
