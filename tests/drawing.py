"""Pictures of digits as people make them: MNIST digits redrawn on big canvases at other sizes,
places, stroke widths and polarities, and strokes drawn with a pen."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def redraw(
    digit: np.ndarray,
    size: int,
    canvas: int = 400,
    at: tuple[int, int] = (10, 10),
    stroke: int = 0,
    dark_on_light: bool = True,
) -> np.ndarray:
    """An MNIST digit enlarged to `size` px and pasted at `at` on a blank canvas; `stroke` > 0
    fattens its strokes by that many pixels, < 0 thins them."""
    big = Image.fromarray(digit).resize((size, size), Image.BILINEAR)
    if stroke > 0:
        big = big.filter(ImageFilter.MaxFilter(2 * stroke + 1))
    elif stroke < 0:
        big = big.filter(ImageFilter.MinFilter(-2 * stroke + 1))
    sheet = Image.new("L", (canvas, canvas), 0)
    sheet.paste(big, at)
    pixels = np.asarray(sheet)
    return 255 - pixels if dark_on_light else pixels


def pen(strokes: list[list[tuple[float, float]]], width: int, canvas: int = 400) -> np.ndarray:
    """Black round-capped polylines on white paper, like a mouse drawing."""
    sheet = Image.new("L", (canvas, canvas), 255)
    draw = ImageDraw.Draw(sheet)
    for points in strokes:
        draw.line(points, fill=0, width=width, joint="curve")
        r = width / 2
        for x, y in (points[0], points[-1]):
            draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
    return np.asarray(sheet)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])
