"""The Keras backend (on TensorFlow): `.keras` files of built-in layers loaded in safe mode,
inference through one traced `tf.function` (never `Model.predict()`, which costs tens of
milliseconds per call), and training steps through another.

Where TensorFlow is not installed (the CPU build), the registry takes `keras_on_torch` instead:
the same files, read and trained through the network's PyTorch twin."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np

from digitpad import network
from digitpad.backends.base import (
    Backend,
    Device,
    Predictor,
    describe_network,
    refuse_non_digit_model,
)
from digitpad.backends.keras_checks import check_archive, load_failure
from digitpad.backends.torch_backend import BACKEND as TORCH
from digitpad.card import ModelCard
from digitpad.errors import ModelFileError
from digitpad.layer_outputs import LayerOutput, collect, groups
from digitpad.network import Layer


class KerasPredictor(Predictor):
    def __init__(self, model: Any, card: ModelCard, path: Path, device: str) -> None:
        from digitpad.backends.keras_nets import logits_fn

        super().__init__("keras", card, path, device)
        self.model = model
        self._fn = logits_fn(model)
        self._gradient = None  # traced when "Show why" first asks
        self._outputs = None  # traced when the inside view first asks
        self._scope = "/" + device.upper()
        self.predict(np.zeros((1, 28, 28), np.float32))  # trace now, not on the first stroke

    def predict(self, images: np.ndarray) -> np.ndarray:
        from digitpad.backends.keras_nets import predict_proba
        from digitpad.backends.tf_import import tensorflow

        with tensorflow().device(self._scope):
            return predict_proba(self.model, images, fn=self._fn)

    def framework_summary(self) -> str:
        lines: list[str] = []
        self.model.summary(print_fn=lambda line, *_, **__: lines.append(line))
        return "\n".join(lines)

    def _layers(self) -> tuple[Layer, ...] | None:
        return network.from_json(self.card.network) if self.card.network else None

    def activations(self, image: np.ndarray) -> list[LayerOutput]:
        """Every shown layer's output, through a traced function made on first use."""
        from digitpad.backends.keras_nets import layer_outputs_fn
        from digitpad.backends.tf_import import tensorflow

        layers = self._layers()
        if layers is None:
            return super().activations(image)
        if self._outputs is None:
            self._outputs = layer_outputs_fn(self.model, layers)
        with tensorflow().device(self._scope):
            found = self._outputs(np.ascontiguousarray(image, np.float32)[None])
            return collect(groups(layers), [np.asarray(a) for a in found])

    def activations_missing(self) -> str:
        return (
            ""
            if self.card.network
            else (
                "a Keras network digitpad did not build: its layers are not a description, so "
                "only its output is shown"
            )
        )

    def first_filters(self) -> np.ndarray | None:
        from digitpad.backends.keras_nets import first_filters

        return first_filters(self.model)

    def explain(self, image: np.ndarray, digit: int) -> np.ndarray:
        """Input x gradient of the digit's logit, through a traced function made on first use."""
        from digitpad.backends.keras_nets import input_gradient_fn
        from digitpad.backends.tf_import import tensorflow

        if self._gradient is None:
            self._gradient = input_gradient_fn(self.model)
        with tensorflow().device(self._scope):
            return np.asarray(
                self._gradient(np.ascontiguousarray(image, np.float32)[None], np.int32(digit))
            )[0]


class _Traced:
    """A network, its optimizer and their traced training step, for one description, optimizer
    and device. TensorFlow never gives back all the memory of a traced step (about 2.7 MB each
    with Adam, measured), so trainings reuse one: each starts it over with freshly initialised
    weights and a zeroed optimizer, which is exactly a new network."""

    def __init__(self, layers: tuple[Layer, ...], optimizer: str, scope: str) -> None:
        from digitpad.backends import keras_nets
        from digitpad.backends.tf_import import keras as load_keras
        from digitpad.backends.tf_import import tensorflow

        keras, tf = load_keras(), tensorflow()
        self.busy = threading.Lock()
        with tf.device(scope):
            self.model = model = keras_nets.build(layers)
            if optimizer == "sgd":
                opt = keras.optimizers.SGD(0.0, momentum=0.9, nesterov=True)
            elif optimizer == "adamw":
                opt = keras.optimizers.AdamW(0.0, weight_decay=1e-4)
            else:
                opt = keras.optimizers.Adam(0.0)
            opt.build(model.trainable_variables)
        self.optimizer = opt
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

        @tf.function(
            input_signature=[
                tf.TensorSpec([None, 28, 28], tf.float32),
                tf.TensorSpec([None], tf.int64),
                tf.TensorSpec([], tf.float32),
            ],
            autograph=False,
        )
        def step(x, y, lr):
            opt.learning_rate.assign(lr)
            with tf.GradientTape() as tape:
                logits = model(x, training=True)
                loss = loss_fn(y, logits)
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables, strict=True))
            hits = tf.equal(tf.argmax(logits, axis=1, output_type=tf.int64), y)
            return loss, tf.reduce_sum(tf.cast(hits, tf.int32))

        self.step = step
        self.probabilities = keras_nets.logits_fn(model)

    def restart(self, layers: tuple[Layer, ...], scope: str, seed: int, start: Any = None) -> None:
        """Fresh weights (from the seeded initialisers of a new network, or those of the trained
        network `start`) and a zeroed optimizer."""
        from digitpad.backends import keras_nets
        from digitpad.backends.tf_import import keras, tensorflow

        keras().utils.set_random_seed(seed)
        with tensorflow().device(scope):
            self.model.set_weights((start or keras_nets.build(layers)).get_weights())
            for variable in self.optimizer.variables:
                variable.assign(np.zeros(variable.shape, variable.dtype))


_TRACED: dict[tuple[tuple[Layer, ...], str, str], _Traced] = {}
_TRACED_LOCK = threading.Lock()


class KerasLearner:
    def __init__(
        self, layers: tuple[Layer, ...], optimizer: str, device: str, seed: int, start: Any = None
    ) -> None:
        self.layers, self._scope = tuple(layers), "/" + device.upper()
        key = (self.layers, optimizer, self._scope)
        with _TRACED_LOCK:
            traced = _TRACED.get(key)
            if traced is None or not traced.busy.acquire(blocking=False):
                # A second training of the same kind at once gets a step of its own.
                traced = _Traced(self.layers, optimizer, self._scope)
                traced.busy.acquire()
                _TRACED.setdefault(key, traced)
        self._traced = traced
        traced.restart(self.layers, self._scope, seed, start)
        self.model, self.optimizer = traced.model, traced.optimizer

    def step(self, images: np.ndarray, labels: np.ndarray, lr: float) -> tuple[float, int]:
        from digitpad.backends.tf_import import tensorflow

        with tensorflow().device(self._scope):
            loss, right = self._traced.step(
                np.ascontiguousarray(images, np.float32),
                np.asarray(labels, np.int64),
                np.float32(lr),
            )
        return float(loss), int(right)

    def predict(self, images: np.ndarray) -> np.ndarray:
        from digitpad.backends.keras_nets import predict_proba
        from digitpad.backends.tf_import import tensorflow

        with tensorflow().device(self._scope):
            return predict_proba(self.model, images, fn=self._traced.probabilities)

    def learning_rate(self) -> float:
        return float(np.asarray(self.optimizer.learning_rate))

    def trained(self):  # -> keras.Model
        """The trained network as a model of its own: the learner's is reused by the next
        training."""
        from digitpad.backends import keras_nets
        from digitpad.backends.tf_import import tensorflow

        with tensorflow().device(self._scope):
            model = keras_nets.build(self.layers)
            model.set_weights(self.model.get_weights())
        return model

    def release(self) -> None:
        if self._traced.busy.locked():
            self._traced.busy.release()


class KerasBackend(Backend):
    name = "keras"
    label = "Keras"
    runs_on = "TensorFlow"  # what Keras computes with here (Help > About says it)
    suffix = ".keras"
    framework = "tensorflow"
    nets = "digitpad.backends.keras_nets"
    gpu_prefix = "gpu"
    export_formats = ("onnx", "tflite", "savedmodel")

    def import_framework(self) -> None:
        from digitpad.backends.tf_import import keras

        keras()  # TensorFlow the safe way (digitpad.backends.tf_import), or Keras on torch

    def available(self) -> bool:
        return super().available() or (
            importlib.util.find_spec("keras") is not None and TORCH.available()
        )

    def devices(self) -> list[Device]:
        from digitpad.backends.tf_import import tensorflow

        tf = tensorflow()
        found = [Device("cpu", "CPU")]
        for i, gpu in enumerate(tf.config.list_physical_devices("GPU")):
            name = tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
            found.append(Device(f"gpu:{i}", f"GPU {i}: {name}"))
        return found

    def load(self, path: Path, card: ModelCard, device: str = "cpu") -> Predictor:
        from digitpad.backends import keras_nets

        path = Path(path)
        check_archive(path)
        device = self.resolve_device(device)
        try:
            model = keras_nets.load(str(path))
        except Exception as err:  # keras raises ValueError, OSError, zipfile errors, ...
            raise ModelFileError(f"{path}: not a usable Keras model ({load_failure(err)})") from err
        shape = tuple(model.input_shape[1:]) if hasattr(model, "input_shape") else ()
        refuse_non_digit_model(path, shape, model.output_shape[-1])
        layers = _checked_network(path, card, keras_nets.describe(model))
        if layers:
            describe_network(card, layers)
        else:
            card.arch = network.CUSTOM
        return self.predictor(model, card, path, device)

    def predictor(self, model: Any, card: ModelCard, path: Path, device: str) -> Predictor:
        """The loaded Keras model, ready to read digits on `device`."""
        return KerasPredictor(model, card, path, device)

    def learner(
        self, layers: tuple[Layer, ...], optimizer: str, device: str, seed: int, start: Any = None
    ) -> KerasLearner:
        return KerasLearner(layers, optimizer, device, seed, start)

    def run_export(self, fmt: str, path: Path, images: np.ndarray) -> np.ndarray:
        if fmt not in ("savedmodel", "tflite"):
            return super().run_export(fmt, path, images)
        import warnings

        from digitpad.backends.tf_import import tensorflow

        tf = tensorflow()
        if fmt == "savedmodel":
            loaded = tf.saved_model.load(str(path))  # kept: its function refers to its variables
            return loaded.serve(tf.constant(images)).numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tf.lite.Interpreter points at the LiteRT package
            interpreter = tf.lite.Interpreter(model_path=str(path))
        source = interpreter.get_input_details()[0]["index"]
        interpreter.resize_tensor_input(source, list(images.shape))
        interpreter.allocate_tensors()
        interpreter.set_tensor(source, images)
        interpreter.invoke()
        return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])

    def explain_failure(self, err: Exception, device: str) -> str | None:
        from digitpad.backends.tf_import import tensorflow

        tf = tensorflow()
        if isinstance(err, tf.errors.ResourceExhaustedError):
            return f"out of memory on {device}: lower the batch size"
        if isinstance(err, tf.errors.OpError):
            return f"training failed on {device}: {err.message}"
        return None


def _checked_network(
    path: Path, card: ModelCard, found: tuple[Layer, ...] | None
) -> tuple[Layer, ...] | None:
    """The network the file's layers are, in the card's own words when they agree (a flatten
    the card leaves implied is a layer in the file); a card that claims another is refused (it
    was shown as it was, and personalising then built the wrong network)."""
    claimed = _claimed(card)
    if claimed is None:
        return found
    if found is not None and _same(claimed, found):
        return claimed
    what = (
        f"a {network.presets.short_name(network.name_of(found))}"
        if found
        else "a network digitpad did not build"
    )
    raise ModelFileError(
        f"{path}: its model card says "
        f"{network.presets.short_name(network.name_of(claimed))}, but the file "
        f"holds {what}; the card does not belong to this file"
    )


def _claimed(card: ModelCard) -> tuple[Layer, ...] | None:
    """What the card says the network is: its description, or an older card's preset name."""
    try:
        if card.network:
            return network.from_json(card.network)
        return network.preset(card.arch).layers if card.arch in network.PRESETS else None
    except network.DescriptionError:
        return None


def _same(a: tuple[Layer, ...], b: tuple[Layer, ...]) -> bool:
    return [s.layer for s in network.plan(a)] == [s.layer for s in network.plan(b)]


BACKEND = KerasBackend()
