"""Pen-drawn digits as training images: each digit drawn again the ways a mouse user draws it
(another time by the same hand, mouse sampling and tremor, any pen and size, sometimes a blocky
low-resolution scan), through the app's own `to_mnist`. The drawings of a whole file are cached,
since they take a while. Qt-free: numpy and Pillow only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from digitpad.atomic import atomic_write
from digitpad.pendigits import (
    CANVAS,
    PenImages,
    Strokes,
    blocky,
    default_path,
    read,
    render,
    smooth,
)
from digitpad.preprocess import to_mnist


def distort(
    strokes: Strokes,
    rng: np.random.Generator,
    rotate: float = 10.0,
    slant: float = 0.25,
    aspect: float = 0.15,
) -> list[np.ndarray]:
    """A random rotation (degrees), slant (x shift per unit of height) and aspect change
    (log-uniform, +-aspect) of the trajectory: how the same person draws a digit another time."""
    a = np.deg2rad(rng.uniform(-rotate, rotate))
    k = np.exp(rng.uniform(-aspect, aspect))
    m = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) @ np.array(
        [[k, -rng.uniform(-slant, slant)], [0.0, 1.0 / k]]
    )
    return [(s @ m.T.astype(np.float32)).astype(np.float32) for s in strokes]


def resample(
    strokes: Strokes,
    rng: np.random.Generator,
    spacing: tuple[float, float] = (0.03, 0.15),
    jitter: float = 0.006,
) -> list[np.ndarray]:
    """Mouse-like sampling of the smoothed pen path: points at a random, uneven distance along
    each stroke (a share of the digit's size: a mouse reports fewer points the faster it
    moves, and the canvas then cuts corners), each moved by a little hand tremor (Gaussian,
    `jitter` of the size). Ends are kept."""
    every = np.vstack(strokes)
    height = max(float(np.ptp(every[:, 1])), float(np.ptp(every[:, 0])), 1e-6)
    step = rng.uniform(*spacing) * height
    out = []
    for s in map(smooth, strokes):
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(s, axis=0).T))])
        gaps = step * rng.uniform(0.5, 1.5, int(along[-1] / step * 2) + 2)
        at = np.concatenate([[0.0], np.cumsum(gaps)])
        at = np.append(at[at < along[-1]], along[-1]) if along[-1] > 0 else at[:1]
        pts = np.stack([np.interp(at, along, s[:, 0]), np.interp(at, along, s[:, 1])], axis=1)
        pts[1:-1] += rng.normal(0.0, jitter * height, pts[1:-1].shape)
        out.append(pts.astype(np.float32))
    return out


RECIPE = 1  # bump when `mouse_like` changes: cached renderings are then redrawn
RENDER_SIZE = 160  # drawing side for training images (see `mnist_images` on why 160)
PEN_RANGE = (4.0, 48.0)  # pen widths, in pixels of the app's canvas (log-uniform)
FILL_RANGE = (0.45, 0.85)  # how much of the canvas a digit takes
BLOCKY_SHARE = 0.25  # renderings made into low-resolution binary scans
BLOCKY_PENS = (20.0, 56.0)  # pens for those: strokes about 1-3 cells wide
BLOCKY_CELLS = (12, 20)


def mouse_like(strokes: Strokes, rng: np.random.Generator, size: int = RENDER_SIZE) -> np.ndarray:
    """One random MNIST-style rendering (28x28 uint8) of a digit as a mouse user might draw it:
    the same person's shape another time (`distort`), mouse sampling and tremor (`resample`),
    any pen width and size on the canvas; a quarter of them reduced to blocky scans, half of
    those stretched to fill their box, as in old low-resolution digit collections."""
    strokes = distort(strokes, rng)
    if rng.random() < 0.8:
        strokes = resample(strokes, rng)
    fill = float(rng.uniform(*FILL_RANGE))
    if rng.random() < BLOCKY_SHARE:
        pen = float(rng.uniform(*BLOCKY_PENS))
        picture = blocky(
            render(strokes, size, pen * size / CANVAS, fill),
            int(rng.integers(BLOCKY_CELLS[0], BLOCKY_CELLS[1] + 1)),
            threshold=float(rng.uniform(0.35, 0.65)),
            stretch=bool(rng.random() < 0.5),
        )
    else:
        pen = float(np.exp(rng.uniform(*np.log(PEN_RANGE))))
        picture = render(strokes, size, pen * size / CANVAS, fill)
    mnist = to_mnist(picture)
    return np.zeros((28, 28), np.uint8) if mnist is None else np.round(mnist * 255).astype(np.uint8)


def training_images(
    renderings: int = 2,
    path: Path | str | None = None,
    seed: int = 0,
    report: Callable[[float], None] = lambda share: None,
    cache: Path | None = None,
) -> PenImages:
    """Every digit of a training file drawn `renderings` times by `mouse_like`, seeded per digit.

    Drawing them takes about 4 ms each, so the result is kept in `cache` (a folder) under a name
    that holds the file's checksum, the recipe version and the arguments; `report(share done)`
    is told the progress of a fresh drawing. Pen widths in `pens` are 0 for blocky renderings.
    """
    path = Path(path or default_path())
    key = hashlib.sha256(path.read_bytes() if path.is_file() else b"").hexdigest()[:16]
    name = f"pen-{key}-recipe{RECIPE}-x{renderings}-seed{seed}.npz"
    if cache is not None and (cache / name).is_file():
        try:
            with np.load(cache / name) as saved:
                return PenImages(*(saved[f] for f in ("images", "labels", "writers", "pens")))
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache file is simply drawn again
    digits = read(path)
    n = len(digits)
    images = np.zeros((renderings * n, 28, 28), np.uint8)
    for i, digit in enumerate(digits):
        rng = np.random.default_rng([seed, i])
        for r in range(renderings):
            images[r * n + i] = mouse_like(digit.strokes, rng)
        if i % 100 == 0:
            report(i / n)
    labels = np.tile(np.array([d.label for d in digits], np.uint8), renderings)
    writers = np.tile(np.array([d.writer for d in digits], np.int16), renderings)
    result = PenImages(images, labels, writers, np.zeros(len(labels), np.float32))
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        atomic_write(
            cache / name,
            lambda out: np.savez_compressed(
                out, images=images, labels=labels, writers=writers, pens=result.pens
            ),
        )
    return result
