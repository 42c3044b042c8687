"""Reading picture files into pixel arrays (Pillow), for the CLI and the window alike.

Only regular files are read (a named pipe would block forever), and pictures larger than
MAX_PIXELS are refused from their header before any pixel is decoded: a small file can claim a
huge size (a "decompression bomb"). 16-bit pictures are scaled to 0..1, not clipped.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

READABLE = ("*.png", "*.jpg", "*.jpeg", "*.bmp", "*.gif", "*.tif", "*.tiff", "*.webp")
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is the largest a digit needs
WIDE_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")


def read_image(path: Path) -> np.ndarray:
    """Pixels of a picture file: gray or RGBA (when it has transparency) as uint8, or gray as
    float 0..1 for 16-bit and float pictures. OSError, with the reason, if it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.exists():
        raise OSError(f"{path}: no such file")
    if not path.is_file():
        raise OSError(f"{path}: not a regular file (a folder, pipe or device); not read")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses larger ones from the header alone
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                img.load()
                return _pixels(img)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        claimed = re.search(r"\((\d+) pixels\)", str(err))
        size = f" (its header claims {int(claimed[1]):,} pixels)" if claimed else ""
        raise OSError(f"{path}: the picture is larger than the {MAX_PIXELS // 1_000_000} "
                      f"megapixels digitpad reads{size}; not read") from err
    except (UnidentifiedImageError, ValueError, SyntaxError) as err:
        raise OSError(f"{path}: not a readable image ({err})") from err
    except OSError as err:
        if str(path) in str(err):
            raise
        raise OSError(f"{path}: not a readable image ({err})") from err


def _pixels(img) -> np.ndarray:
    if img.mode in WIDE_MODES:
        values = np.asarray(img, dtype=np.float32)
        top = 65535.0 if img.mode.startswith("I;16") or values.max() <= 65535 else values.max()
        if img.mode == "F":
            top = max(1.0, float(values.max()))
        return np.clip(values / np.float32(top), 0.0, 1.0)
    transparent = "A" in img.getbands() or "transparency" in img.info
    return np.asarray(img.convert("RGBA" if transparent else "L"))
