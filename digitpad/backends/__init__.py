"""The backends: one module per framework, found through this registry.

Each module defines `BACKEND`, an instance of `digitpad.backends.base.Backend` that knows how to
load, save, build, train and list devices for its framework, and imports the framework only
when one of those is first used. Importing this package (or a backend module) loads no
framework, so the window can appear before torch or TensorFlow are in memory.

Adding a backend means writing one module and adding one line below.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from digitpad.backends.tf_import import HAVE_TENSORFLOW
from digitpad.errors import UnknownBackend

if TYPE_CHECKING:
    from digitpad.backends.base import Backend

MODULES = {
    "torch": "digitpad.backends.torch_backend",
    # Keras on TensorFlow where it is installed, else the same files through PyTorch twins
    "keras": "digitpad.backends.keras_backend"
    if HAVE_TENSORFLOW
    else "digitpad.backends.keras_on_torch",
    "onnx": "digitpad.backends.onnx_backend",
}


def names() -> tuple[str, ...]:
    """Every registered backend, installed or not, in the order the app lists them."""
    return tuple(MODULES)


@cache
def get(name: str) -> Backend:
    """The one instance of a backend (its framework is still not imported)."""
    if name not in MODULES:
        raise UnknownBackend(f"unknown backend {name!r} (choose {' or '.join(MODULES)})")
    return import_module(MODULES[name]).BACKEND


def label(name: str) -> str:
    """What a person calls a backend ("PyTorch"); unknown names are shown as they are."""
    return get(name).label if name in MODULES else name


def suffixes() -> dict[str, str]:
    """File suffix -> backend name, for every registered backend."""
    return {get(name).suffix: name for name in MODULES}


def for_path(path: Path) -> Backend:
    """The backend whose model files end like `path`."""
    found = suffixes().get(Path(path).suffix.lower())
    if found is None:
        expected = " or ".join(suffixes())
        raise UnknownBackend(f"{path}: not a model file (expected {expected})")
    return get(found)


def installed() -> tuple[str, ...]:
    """The backends whose framework can be imported here (checked without importing it)."""
    return tuple(name for name in MODULES if get(name).available())


def training_backends() -> tuple[str, ...]:
    """The registered backends that can train a network, installed or not."""
    return tuple(name for name in MODULES if get(name).trains)


def trainable() -> tuple[str, ...]:
    """The installed backends that can train a network."""
    return tuple(name for name in installed() if get(name).trains)
