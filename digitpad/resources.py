"""One place that knows where bundled files live, from a source tree or a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path


def assets_dir() -> Path:
    """The `assets/` folder: beside the packages in a checkout, inside the bundle when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "assets"
    return Path(__file__).resolve().parent.parent / "assets"


def asset(*parts: str) -> Path:
    """Path of a bundled file, e.g. `asset("models", "torch_cnn.pt")`."""
    return assets_dir().joinpath(*parts)
