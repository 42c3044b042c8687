"""Reading picture files into pixel arrays (Pillow), for the CLI and the window alike.

Only the raster formats of FORMATS are opened, whatever a file's name says: Pillow would hand a
PostScript file (EPS/PS, even one named `.png`) to Ghostscript, which runs it as a program. Only
regular files are read (a named pipe would block forever), and pictures larger than
MAX_PIXELS are refused from their header before any pixel is decoded: a small file can claim a
huge size (a "decompression bomb"). A photo is turned the way its EXIF orientation says (as a
phone or viewer shows it). Every other way of storing pixels is read as shown too: palette,
1-bit, CMYK, transparency (laid on white paper), 16-bit, 32-bit and float gray (scaled to 0..1,
not clipped).
"""

from __future__ import annotations

import re
import struct
import warnings
from pathlib import Path

import numpy as np

# Pillow's name of each format read -> the suffixes the file dialog offers; none calls a program
FORMATS = {
    "PNG": ("png",),
    "JPEG": ("jpg", "jpeg"),
    "BMP": ("bmp",),
    "GIF": ("gif",),
    "TIFF": ("tif", "tiff"),
    "WEBP": ("webp",),
}
READABLE = tuple(f"*.{suffix}" for suffixes in FORMATS.values() for suffix in suffixes)
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is the largest a digit needs
WIDE_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")


def read_image(path: Path) -> np.ndarray:
    """Pixels of a picture file as one gray channel: uint8, or float 0..1 for 16-bit, 32-bit
    and float pictures. OSError, with the reason, if it cannot be read."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.exists():
        raise OSError(f"{path}: no such file")
    if not path.is_file():
        raise OSError(f"{path}: not a regular file (a folder, pipe or device); not read")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses larger ones from the header alone
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=list(FORMATS)) as img:
                img.load()
                return _pixels(ImageOps.exif_transpose(img))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        claimed = re.search(r"\((\d+) pixels\)", str(err))
        size = f" (its header claims {int(claimed[1]):,} pixels)" if claimed else ""
        raise OSError(
            f"{path}: the picture is larger than the {MAX_PIXELS // 1_000_000} "
            f"megapixels digitpad reads{size}; not read"
        ) from err
    except UnidentifiedImageError as err:
        raise OSError(
            f"{path}: not a picture digitpad reads (it reads {', '.join(FORMATS)})"
        ) from err
    except (ValueError, SyntaxError, EOFError, IndexError, KeyError, struct.error) as err:
        raise OSError(f"{path}: not a readable image ({err})") from err  # a damaged file
    except OSError as err:
        if str(path) in str(err):
            raise
        raise OSError(f"{path}: not a readable image ({err})") from err


def _pixels(img) -> np.ndarray:
    """One gray channel as the picture is shown: palette, 1-bit, CMYK and colour converted by
    Pillow, transparency laid on paper (`preprocess.composite`), wide values scaled to 0..1."""
    from digitpad.preprocess import composite

    if img.mode in WIDE_MODES:
        values = np.asarray(img, dtype=np.float32)
        return np.clip(values / np.float32(_white(img.mode, float(values.max()))), 0.0, 1.0)
    if "A" in img.getbands() or "transparency" in img.info:
        return np.round(composite(np.asarray(img.convert("RGBA")))).astype(np.uint8)
    return np.asarray(img.convert("L"))


def _white(mode: str, brightest: float) -> float:
    """Full white of a wide picture: 16-bit files say so; 32-bit integer and float pictures do
    not, and hold 8-bit or 16-bit values as often as 0..1 ones (Pillow's convert("I") keeps
    0..255), so the smallest usual depth that holds the brightest pixel."""
    if mode.startswith("I;16"):
        return 65535.0
    depths = (1.0, 255.0, 65535.0) if mode == "F" else (255.0, 65535.0)
    return next((depth for depth in depths if brightest <= depth), brightest)
