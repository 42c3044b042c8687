"""An export run by its own runtime (ONNX Runtime, TorchScript, TensorFlow, TFLite), not by
digitpad's code, and compared with the original model: the check behind digitpad.export."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def check_images(count: int) -> np.ndarray:
    """The first `count` MNIST test images, as the models read them."""
    from digitpad.data import load_mnist

    return load_mnist().test_x[:count].astype(np.float32) / 255.0


def compare(expected: np.ndarray, got: np.ndarray) -> tuple[int, float]:
    """How many images get the same top answer, and the largest probability difference."""
    got = np.asarray(got, np.float32).reshape(expected.shape)
    if not np.isfinite(got).all():
        return 0, float("inf")
    same = int((expected.argmax(1) == got.argmax(1)).sum())
    return same, float(np.abs(expected - got).max())


def run(fmt: str, path: Path, images: np.ndarray) -> np.ndarray:
    """Probabilities from the exported file, through its own runtime (not digitpad's code)."""
    if fmt == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return session.run(None, {session.get_inputs()[0].name: images})[0]
    if fmt == "torchscript":
        import warnings

        import torch

        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            return torch.jit.load(str(path), map_location="cpu")(torch.from_numpy(images)).numpy()
    from digitpad.backends.tf_import import tensorflow

    tf = tensorflow()
    if fmt == "savedmodel":
        loaded = tf.saved_model.load(str(path))  # kept: its function refers to its variables
        return loaded.serve(tf.constant(images)).numpy()
    return run_tflite(tf, path, images)


def run_tflite(tf, path: Path, images: np.ndarray) -> np.ndarray:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter points at the LiteRT package
        interpreter = tf.lite.Interpreter(model_path=str(path))
    source = interpreter.get_input_details()[0]["index"]
    interpreter.resize_tensor_input(source, list(images.shape))
    interpreter.allocate_tensors()
    interpreter.set_tensor(source, images)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
