"""Shared fixtures: a private app-data folder for every test, MNIST slices, and model loading
done once per session (both frameworks are slow to import)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory, monkeypatch) -> Path:
    """User models and settings go to a fresh temporary folder, never the real home."""
    home = tmp_path_factory.mktemp("digitpad-home")
    monkeypatch.setenv("DIGITPAD_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def mnist():
    from digitpad.data import load_mnist

    return load_mnist()


def write_idx(path: Path, array: np.ndarray, compress: bool = True) -> Path:
    """Write an idx file of unsigned bytes (the format MNIST ships in)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    payload = header + np.ascontiguousarray(array, np.uint8).tobytes()
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


@pytest.fixture
def small_mnist_dir(tmp_path, mnist) -> Path:
    """A real MNIST folder holding 600 training and 500 test images."""
    folder = tmp_path / "mnist-small"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte.gz", mnist.train_x[:600])
    write_idx(folder / "train-labels-idx1-ubyte.gz", mnist.train_y[:600])
    write_idx(folder / "t10k-images-idx3-ubyte.gz", mnist.test_x[:500])
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", mnist.test_y[:500])
    return folder


@pytest.fixture(scope="session")
def torch_predictor():
    from digitpad.predictors import load_predictor

    return load_predictor("torch")


@pytest.fixture(scope="session")
def keras_predictor():
    from digitpad.predictors import load_predictor

    return load_predictor("keras")
