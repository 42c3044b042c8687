"""An export run by its own runtime (ONNX Runtime, TorchScript, TensorFlow, TFLite), not by
digitpad's code, and compared with the original model: the check behind digitpad.export. Each
runtime is called by the backend of its framework (`Backend.run_export`)."""

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


RUNS_ON = {"onnx": "onnx", "torchscript": "torch", "savedmodel": "keras", "tflite": "keras"}


def run(fmt: str, path: Path, images: np.ndarray) -> np.ndarray:
    """Probabilities from the exported file, through its own runtime (not digitpad's code),
    which lives with the backend of that framework."""
    from digitpad import backends

    return backends.get(RUNS_ON[fmt]).run_export(fmt, path, images)
