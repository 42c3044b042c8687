"""Reading picture files into pixel arrays (Pillow), for the CLI and the window alike."""

from __future__ import annotations

from pathlib import Path

import numpy as np

READABLE = ("*.png", "*.jpg", "*.jpeg", "*.bmp", "*.gif", "*.tif", "*.tiff", "*.webp")


def read_image(path: Path) -> np.ndarray:
    """Pixels of a picture file, gray or RGBA (when it has transparency); OSError if unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            transparent = "A" in img.getbands() or "transparency" in img.info
            return np.asarray(img.convert("RGBA" if transparent else "L"))
    except (OSError, UnidentifiedImageError, ValueError) as err:
        raise OSError(f"{path}: not a readable image ({err})") from err
