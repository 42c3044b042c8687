"""The Keras networks built from any description, layer for layer the same as `torch_nets`
(sizes, order), and read back from a loaded `.keras` file into the description they are."""

from __future__ import annotations

import contextlib
import io
import json
import warnings

import numpy as np

from digitpad import network
from digitpad.backends.base import PREDICT_BATCH
from digitpad.backends.notices import without_torchvision_notice
from digitpad.layer_outputs import groups
from digitpad.network.layers import (
    Activation,
    BatchNorm,
    Conv,
    Dense,
    Dropout,
    Flatten,
    GlobalAvgPool,
    Layer,
    Pool,
)
from digitpad.network.plan import Step, plan

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def build(layers: tuple[Layer, ...] | list[Layer]):  # -> keras.Model (imported lazily)
    """The network a description says, as `network.plan` lays it out, layer for layer in the
    order `torch_nets.build` makes its modules (so weights move between them exactly). Only
    built-in layers, so files load with `safe_mode=True` and no custom code."""
    from digitpad.backends.tf_import import keras as load_keras

    keras = load_keras()
    steps = plan(layers)
    made = [keras.Input((28, 28)), _standardize(keras.layers)]
    if not isinstance(steps[0].layer, Flatten):
        made.append(keras.layers.Reshape((28, 28, 1)))
    for step in steps:
        made += _keras_layers(keras.layers, step)
    return keras.Sequential(made, name=f"digitpad_{network.name_of(layers)}")


def _standardize(kl):
    return kl.Rescaling(1.0 / MNIST_STD, offset=-MNIST_MEAN / MNIST_STD)


def _activation(name: str) -> str | None:
    return None if name == "none" else name


def _keras_layers(kl, step: Step) -> list:
    layer = step.layer
    if isinstance(layer, Dense):
        return [kl.Dense(layer.units, activation=_activation(layer.activation), use_bias=step.bias)]
    if isinstance(layer, Conv):
        return [
            kl.Conv2D(
                layer.filters,
                layer.kernel,
                strides=layer.stride,
                padding=layer.padding,
                activation=_activation(layer.activation),
                use_bias=step.bias,
            )
        ]
    if isinstance(layer, Pool):
        return [(kl.MaxPooling2D if layer.mode == "max" else kl.AveragePooling2D)(layer.size)]
    if isinstance(layer, BatchNorm):  # PyTorch's defaults: the same running averages
        return [kl.BatchNormalization(momentum=0.9, epsilon=1e-5)]
    if isinstance(layer, Activation):
        return [kl.ReLU() if layer.function == "relu" else kl.Activation(layer.function)]
    if isinstance(layer, Dropout):
        return [kl.Dropout(layer.rate)]
    if isinstance(layer, GlobalAvgPool):
        return [kl.GlobalAveragePooling2D()]
    return [kl.Flatten()]


def describe(model) -> tuple[Layer, ...] | None:
    """The description a loaded Keras network is, read from its layers' settings (the name a
    file gives itself proves nothing), or None when it is not one digitpad builds: then it can
    be read (with TensorFlow) but not rebuilt, trained or run through PyTorch."""
    found: list[Layer] = []
    kinds = [type(layer).__name__ for layer in model.layers]
    if kinds[:1] != ["Rescaling"] or not kinds or kinds[-1] != "Dense":
        return None
    try:
        for layer in model.layers[1:-1]:
            config = layer.get_config()
            if type(layer).__name__ == "Reshape" and not found:
                continue
            found.append(_layer_of(type(layer).__name__, config))
        out = model.layers[-1].get_config()
        if out["units"] != 10 or out.get("activation") not in (None, "linear"):
            return None
        layers = tuple(found)
        rebuilt = _keras_layers_of(layers)
    except (KeyError, TypeError, ValueError):
        return None
    return layers if rebuilt == _signature(model.layers) else None


def _layer_of(kind: str, config: dict) -> Layer:
    act = _word(config.get("activation"))
    if kind == "Dense":
        return Dense(config["units"], act)
    if kind == "Conv2D":
        kernel, stride = _square(config["kernel_size"]), _square(config["strides"])
        return Conv(config["filters"], kernel, stride, config["padding"], act)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        size = _square(config["pool_size"])
        if _square(config["strides"] or size) != size or config["padding"] != "valid":
            raise ValueError("a pooling digitpad does not build")
        return Pool(size, "max" if kind == "MaxPooling2D" else "avg")
    if kind == "ReLU":
        return Activation("relu")
    if kind == "Activation":
        return Activation(act)
    if kind == "Dropout":
        return Dropout(float(config["rate"]))
    simple = {
        "BatchNormalization": BatchNorm,
        "Flatten": Flatten,
        "GlobalAveragePooling2D": GlobalAvgPool,
    }
    return simple[kind]()


def _word(activation) -> str:
    return "none" if activation in (None, "linear") else str(activation)


def _square(value) -> int:
    values = value if isinstance(value, (list, tuple)) else (value, value)
    if len(set(values)) != 1:
        raise ValueError("not square")
    return int(values[0])


# The settings of a layer that decide what it computes and the shapes of its weights (with the
# input, 28x28, checked on its own). Names, initialisers and training-only settings are left out.
COMPUTING = (
    "units",
    "filters",
    "kernel_size",
    "use_bias",
    "activation",
    "padding",
    "strides",
    "dilation_rate",
    "groups",
    "data_format",
    "pool_size",
    "scale",
    "offset",
    "center",
    "axis",
    "epsilon",
    "target_shape",
    "max_value",
    "negative_slope",
    "threshold",
    "rate",
    "momentum",
)


def _signature(layers: list) -> tuple[str, ...]:
    """What each layer is and computes, names left out: two networks of the same layers, in the
    same order, with equal signatures are the same network, whatever they are called."""
    out = []
    for layer in layers:
        config = layer.get_config()
        settings = {k: config[k] for k in COMPUTING if k in config}
        out.append(json.dumps([type(layer).__name__, settings], sort_keys=True, default=list))
    return tuple(out)


def _keras_layers_of(layers: tuple[Layer, ...]) -> tuple[str, ...]:
    """The signature of the layers `build` makes for a description, without building them (a
    few ms, not 0.28 s for the CNN)."""
    from digitpad.backends.tf_import import keras as load_keras

    kl = load_keras().layers
    steps = plan(layers)
    made = [_standardize(kl)]
    if not isinstance(steps[0].layer, Flatten):
        made.append(kl.Reshape((28, 28, 1)))
    for step in steps:
        made += _keras_layers(kl, step)
    return _signature(made)


def logits_fn(model):
    """A traced function calling the model directly: no `Model.predict()` per drawing."""
    from digitpad.backends.tf_import import tensorflow

    tf = tensorflow()

    @tf.function(input_signature=[tf.TensorSpec([None, 28, 28], tf.float32)], autograph=False)
    def probabilities(x):
        return tf.nn.softmax(model(x, training=False), axis=-1)

    return probabilities


def layer_outputs_fn(model, layers: tuple[Layer, ...]):
    """A traced function: one (1, 28, 28) image -> the output of each shown layer
    (layer_outputs.groups), the last as probabilities. It calls the model's layers one by one,
    as the Sequential itself does: a keras.Model of the intermediate outputs took 4x a reading
    (17-20 ms against 4.6 ms for the CNN, measured), this one what a reading takes."""
    from digitpad.backends.tf_import import tensorflow

    tf = tensorflow()
    before = len(model.layers) - len(plan(layers))  # the rescaling and reshape in front
    ends = {before + g.steps[-1] for g in groups(layers)}

    @tf.function(input_signature=[tf.TensorSpec([1, 28, 28], tf.float32)], autograph=False)
    def outputs(x):
        found = []
        for index, layer in enumerate(model.layers):
            x = layer(x, training=False)
            if index in ends:
                found.append(x[0])
        found[-1] = tf.nn.softmax(x, axis=-1)[0]
        return found

    return outputs


def first_filters(model) -> np.ndarray | None:
    """The first Conv2D's kernels as (filters, height, width) (its input has one channel)."""
    conv = next((layer for layer in model.layers if type(layer).__name__ == "Conv2D"), None)
    if conv is None:
        return None
    kernel = conv.get_weights()[0]  # (height, width, 1, filters)
    return np.ascontiguousarray(np.transpose(kernel[:, :, 0, :], (2, 0, 1)), np.float32)


def input_gradient_fn(model):
    """A traced function: (1, 28, 28) image, digit -> input x gradient of that digit's logit."""
    from digitpad.backends.tf_import import tensorflow

    tf = tensorflow()

    @tf.function(
        input_signature=[tf.TensorSpec([1, 28, 28], tf.float32), tf.TensorSpec([], tf.int32)],
        autograph=False,
    )
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


def save(model, layers: tuple[Layer, ...], path: str) -> None:
    """The weights in a fresh, uncompiled copy of the network: no optimizer state (which would
    triple the file) and nothing but built-in layers."""
    if hasattr(model, "get_weights"):
        weights = model.get_weights()
    else:  # trained as its PyTorch twin, where TensorFlow is absent
        from digitpad.backends.keras_torch import torch_to_keras

        weights = torch_to_keras(model)
    clean = build(layers)
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
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        without_torchvision_notice(),
    ):  # Keras on torch exports ONNX through torch
        warnings.simplefilter("ignore")  # converters' deprecation notes
        wrapped.export(path, format=KERAS_FORMATS[fmt], verbose=False)


def load(path: str):
    """Load a `.keras` file as data: safe mode refuses lambdas and other embedded code."""
    from digitpad.backends.tf_import import keras as load_keras

    keras = load_keras()

    return keras.saving.load_model(path, compile=False, safe_mode=True)
