"""Turn any picture of a digit into the 28x28 image MNIST networks expect, the way MNIST was made.

MNIST digits were cropped to their ink, scaled so the longer side is 20 px (keeping the aspect
ratio, anti-aliased) and placed in a 28x28 field with their centre of mass in the middle. Drawings
from a mouse, a marker or a scanner differ from that in size, position, stroke width, polarity and
contrast; every one of those differences is removed here, in numpy only, in well under 1 ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from digitpad.blas import one_thread

SIZE = 28
BOX = 20
WORK = 60  # working resolution of the longer side: 3x the 20 px box
TARGET_STROKE = 7.4  # median MNIST stroke width at WORK scale (about 2.5 px in the 20 px box)
MIN_CONTRAST = 0.15  # ink must stand this far from the paper to count
INK_LEVEL = 0.35  # a pixel at least this inky belongs to the digit's bounding box
MIN_INK_PIXELS = 3


def to_ink(image: np.ndarray) -> np.ndarray:
    """A 2-D float32 map of ink (0 = paper, 1 = ink) from gray, RGB or RGBA, uint8 or float.

    A picture with transparency is first seen as a viewer shows it (`composite`). The paper's tone
    is read from the border, so dark ink on light paper and light ink on dark paper both come out
    as ink = 1, and a gray scan background is stretched down to 0.
    """
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in (3, 4)) or img.size == 0:
        raise ValueError(f"expected a gray, RGB or RGBA image, got shape {img.shape}")
    scale = _scale(img)
    if img.ndim == 3 and img.shape[2] == 4:
        gray = composite(img)
    elif img.ndim == 3:
        gray = _luminance(img)
    else:
        gray = img.astype(np.float32)
    gray *= np.float32(1.0 / scale)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    # Paper is what the border and most of the picture are; a strided sample keeps this cheap.
    sample = gray[:: max(1, gray.shape[0] // 64), :: max(1, gray.shape[1] // 64)]
    levels = (float(np.median(border)), float(np.median(sample)))
    if levels[0] > 0.5:  # light paper, dark ink
        return _stretch(gray, paper=max(levels), strongest=float(gray.min()))
    return _stretch(gray, paper=min(levels), strongest=float(gray.max()))


def composite(rgba: np.ndarray) -> np.ndarray:
    """One gray channel (float32, in the picture's own 0..255 or 0..1 scale) of an RGBA picture
    laid on white paper, as viewers show it: a clear margin or palette entry is paper, not ink
    (an opaque white card on a clear sheet is white). Light ink on a clear sheet, which would
    vanish on white, is laid on black instead, so its opacity still reads as the ink."""
    scale = np.float32(_scale(rgba))
    alpha = rgba[..., 3].astype(np.float32)
    over_black = _luminance(rgba)
    over_black *= alpha / scale  # the colour in proportion to its opacity
    over_white = over_black + (scale - alpha)  # and white paper showing through the rest
    if float(over_white.min()) > float(scale) * (1.0 - MIN_CONTRAST):  # no ink dark enough
        return over_black
    return over_white


def _scale(img: np.ndarray) -> float:
    """What full white is in this picture's pixels: 255 for bytes, else 1 unless larger."""
    return 255.0 if img.dtype == np.uint8 or float(img.max()) > 1.0 else 1.0


def _luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def _stretch(gray: np.ndarray, paper: float, strongest: float) -> np.ndarray:
    """Map the paper tone to 0 and the strongest ink to 1 (in place); too faint means blank."""
    if abs(strongest - paper) < MIN_CONTRAST:
        return np.zeros_like(gray)
    gray -= np.float32(paper)
    gray *= np.float32(1.0 / (strongest - paper))
    return np.clip(gray, 0.0, 1.0, out=gray)


@dataclass(frozen=True)
class Placement:
    """Where the 28x28 image lies on the picture it came from: pixel (x, y) of the 28x28 image
    starts at picture pixel (left + x * scale, top + y * scale). Lets the window show, on the
    canvas, what the network saw in each of its pixels."""

    left: float
    top: float
    scale: float


def to_mnist(image: np.ndarray) -> np.ndarray | None:
    """The 28x28 float32 (0..1, ink bright) image for any digit picture, or None when blank."""
    placed = to_mnist_placed(image)
    return None if placed is None else placed[0]


def to_mnist_placed(image: np.ndarray) -> tuple[np.ndarray, Placement] | None:
    """`to_mnist`, and where its 28x28 pixels lie on `image`."""
    with one_thread():
        return _to_mnist(image)


def _to_mnist(image: np.ndarray) -> tuple[np.ndarray, Placement] | None:
    ink = to_ink(image)
    box = _ink_box(ink)
    if box is None:
        return None
    top, bottom, left, right = box
    crop = ink[top:bottom, left:right]
    fitted = _fit(crop, WORK)
    work = _normalise_stroke(fitted)
    grown = (work.shape[0] - fitted.shape[0]) / 2  # dilation pads the work image
    digit = _fit(work, BOX)
    peak = float(digit.max())
    if peak <= 0.0:
        return None
    out, (y28, x28) = _centre(np.clip(digit / peak, 0.0, 1.0))
    to_work = max(work.shape) / max(digit.shape)  # 28x28 pixel -> work pixels
    to_picture = max(crop.shape) / max(fitted.shape)  # work pixel -> picture pixels
    scale = to_work * to_picture
    return out, Placement(
        left - (x28 * to_work + grown) * to_picture,
        top - (y28 * to_work + grown) * to_picture,
        scale,
    )


def _ink_box(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    mask = ink >= INK_LEVEL
    if int(mask.sum()) < MIN_INK_PIXELS:
        return None
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _fit(img: np.ndarray, longest: int) -> np.ndarray:
    """Resize so the longer side is `longest`, keeping the aspect ratio."""
    h, w = img.shape
    scale = longest / max(h, w)
    out_h, out_w = max(1, round(h * scale)), max(1, round(w * scale))
    return _resize_matrix(h, out_h) @ img @ _resize_matrix(w, out_w).T


@lru_cache(maxsize=1024)
def _resize_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Weights that resample a line of n_in pixels to n_out: box (area) filter when shrinking,
    so thin strokes fade instead of vanishing, and linear interpolation when enlarging.
    Built with array arithmetic: while drawing, the crop size changes on every frame."""
    if n_out <= n_in:
        edges = np.linspace(0.0, n_in, n_out + 1)
        j = np.arange(n_in)
        overlap = np.minimum(edges[1:, None], j + 1) - np.maximum(edges[:-1, None], j)
        m = np.clip(overlap, 0.0, None) / (edges[1:] - edges[:-1])[:, None]
        return m.astype(np.float32)
    centres = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
    distance = np.abs(centres[:, None] - np.arange(n_in)[None, :])
    return np.clip(1.0 - distance, 0.0, None).astype(np.float32)


def stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width in pixels: twice the ink area over its boundary length."""
    mask = ink >= 0.5
    area = int(mask.sum())
    if area == 0:
        return 0.0
    padded = np.pad(mask, 1)
    interior = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:] & mask
    boundary = area - int(interior.sum())
    return 2.0 * area / max(boundary, 1)


def _normalise_stroke(work: np.ndarray) -> np.ndarray:
    """Thicken hairlines and thin fat marker strokes to MNIST's pen width."""
    width = stroke_width(work)
    if width < TARGET_STROKE - 1.0:
        return _grow(work, round((TARGET_STROKE - width) / 2), np.maximum)
    if width > TARGET_STROKE * 1.5:
        steps = round((width - TARGET_STROKE) / 2)
        thinner = _grow(work, steps, np.minimum)
        # Never let thinning erase a part of the digit: keep at least most of its extent.
        while steps > 0 and (thinner >= 0.5).sum() < 0.25 * (work >= 0.5).sum():
            steps -= 1
            thinner = _grow(work, steps, np.minimum)
        return thinner
    return work


def _grow(img: np.ndarray, steps: int, op: np.ufunc) -> np.ndarray:
    """Gray dilation (np.maximum) or erosion (np.minimum) by `steps` pixels with a round-ish
    (octagonal) element: alternating cross and square steps, cheap and nearly isotropic."""
    if steps <= 0:
        return img
    fill = 0.0 if op is np.maximum else 1.0
    out = np.pad(img, steps, constant_values=0.0) if op is np.maximum else img
    for i in range(steps):
        p = np.pad(out, 1, constant_values=fill)
        cross = op(op(p[:-2, 1:-1], p[2:, 1:-1]), op(p[1:-1, :-2], p[1:-1, 2:]))
        out = op(out, cross)
        if i % 2:
            diag = op(op(p[:-2, :-2], p[2:, 2:]), op(p[:-2, 2:], p[2:, :-2]))
            out = op(out, diag)
    return out


def _centre(digit: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """Paste into 28x28 so that the centre of mass lands on the centre (as MNIST did)."""
    h, w = digit.shape
    total = float(digit.sum())
    cy = float((digit.sum(axis=1) * np.arange(h)).sum() / total)
    cx = float((digit.sum(axis=0) * np.arange(w)).sum() / total)
    # MNIST put the centre of mass at (14, 14) in pixel-index terms, by whole-pixel shifts.
    top = int(np.clip(round(SIZE / 2 - cy), 0, SIZE - h))
    left = int(np.clip(round(SIZE / 2 - cx), 0, SIZE - w))
    out = np.zeros((SIZE, SIZE), np.float32)
    out[top : top + h, left : left + w] = digit
    return out, (top, left)
