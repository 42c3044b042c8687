"""One place that knows where bundled files live: in an installed wheel, a checkout (editable
install included) or a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def assets_dir() -> Path:
    """The assets folder: `digitpad/assets` in an installed wheel (setup.py puts it there), the
    top-level `assets/` beside the packages in a checkout, `assets/` inside the bundle when
    frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "assets"
    installed = _PACKAGE / "assets"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "assets"


def asset(*parts: str) -> Path:
    """Path of a bundled file, e.g. `asset("models", "torch_cnn.pt")`."""
    return assets_dir().joinpath(*parts)
