"""Loaded by every Python process of `make exe` (PYTHONPATH=packaging/buildenv).

PyInstaller's hooks import torch and TensorFlow in helper processes, in whatever order. Loading
triton (which torch pulls in) after TensorFlow crashes the process, so this loads triton first
whenever TensorFlow is about to be imported. The app does the same in trainers/frameworks.py.
"""

import importlib.abc
import sys


class _TritonFirst(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "tensorflow" and "triton" not in sys.modules:
            sys.meta_path.remove(self)
            try:
                import triton  # noqa: F401
            except ImportError:
                pass
        return None


sys.meta_path.insert(0, _TritonFirst())
