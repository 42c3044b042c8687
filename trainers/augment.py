"""One augmentation recipe for both backends, applied to whole batches in numpy.

Each image gets a random stroke-thickness change, then one resampling that combines a small
affine move (rotation, scale, shear, shift) with a smooth elastic distortion. Real drawings vary
in exactly these ways; MNIST's 10,000 training digits alone do not cover them.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from digitpad.blas import one_thread

SIZE = 28
ROTATE_DEG = 10.0
SCALE = (0.9, 1.1)
SHEAR = 0.12
SHIFT_PX = 1.0  # small: preprocessing centres every drawing by its centre of mass
ELASTIC_PX = 1.0
ELASTIC_GRID = 4


def augment(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A randomly distorted copy of (N, 28, 28) float32 images in 0..1."""
    n = len(images)
    if n == 0:
        return images.copy()
    with one_thread():
        out = _thickness(images, rng.uniform(-0.6, 1.0, n).astype(np.float32))
        ys, xs = _sampling_grid(n, rng)
        return _bilinear(out, ys, xs)


def _thickness(images: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Blend towards a 1-px gray dilation (amount > 0) or erosion (amount < 0)."""
    p = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    neighbours = (p[:, :-2, 1:-1], p[:, 2:, 1:-1], p[:, 1:-1, :-2], p[:, 1:-1, 2:])
    grown, shrunk = images.copy(), images.copy()
    for side in neighbours:
        np.maximum(grown, side, out=grown)
        np.minimum(shrunk, side, out=shrunk)
    a = amount[:, None, None]
    target = np.where(a > 0, grown, shrunk)
    target -= images
    target *= np.abs(a)
    target += images
    return target


def _sampling_grid(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Source coordinates for every output pixel: inverse affine map plus elastic offsets."""
    f32 = np.float32
    angle = np.deg2rad(rng.uniform(-ROTATE_DEG, ROTATE_DEG, n)).astype(f32)
    scale = rng.uniform(*SCALE, n).astype(f32)
    aspect = rng.uniform(0.92, 1.08, n).astype(f32)
    shear = rng.uniform(-SHEAR, SHEAR, n).astype(f32)
    cos, sin = np.cos(angle), np.sin(angle)
    sy, sx = scale * aspect, scale / aspect
    # Forward map A = R @ Shear @ S; each output pixel samples A^-1 (p - shift).
    a, b = cos * sy, (cos * shear - sin) * sx
    c, d = sin * sy, (sin * shear + cos) * sx
    det = a * d - b * c
    inv = [m[:, None, None] / det[:, None, None] for m in (d, -b, -c, a)]
    shift = rng.uniform(-SHIFT_PX, SHIFT_PX, (2, n, 1, 1)).astype(f32)
    centre = f32((SIZE - 1) / 2)
    axis = np.arange(SIZE, dtype=f32) - centre
    gy, gx = axis[None, :, None] - shift[0], axis[None, None, :] - shift[1]
    up = _upsample_matrix()
    field = rng.normal(0.0, ELASTIC_PX, (2, n, ELASTIC_GRID, ELASTIC_GRID)).astype(f32)
    offsets = up @ field @ up.T
    ys = inv[0] * gy + inv[1] * gx + centre + offsets[0]
    xs = inv[2] * gy + inv[3] * gx + centre + offsets[1]
    return ys, xs


def _upsample_matrix() -> np.ndarray:
    """Linear interpolation from the coarse elastic grid to 28 pixels."""
    pos = np.linspace(0, ELASTIC_GRID - 1, SIZE)
    lo = np.minimum(np.floor(pos).astype(int), ELASTIC_GRID - 2)
    frac = pos - lo
    m = np.zeros((SIZE, ELASTIC_GRID), np.float32)
    m[np.arange(SIZE), lo] = 1 - frac
    m[np.arange(SIZE), lo + 1] += frac
    return m


def _bilinear(images: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Sample every image at its own coordinates; outside the image is paper (0)."""
    n = len(images)
    width = SIZE + 2
    flat = np.pad(images, ((0, 0), (1, 1), (1, 1))).ravel()
    ys = np.clip(ys + 1, 0, SIZE + 0.999, dtype=np.float32)
    xs = np.clip(xs + 1, 0, SIZE + 0.999, dtype=np.float32)
    fy, fx = ys - np.floor(ys), xs - np.floor(xs)
    y0, x0 = ys.astype(np.int32), xs.astype(np.int32)
    base = y0 * width + x0 + (np.arange(n, dtype=np.int32) * width * width)[:, None, None]
    top = np.take(flat, base) * (1 - fx) + np.take(flat, base + 1) * fx
    bottom = np.take(flat, base + width) * (1 - fx) + np.take(flat, base + width + 1) * fx
    return top * (1 - fy) + bottom * fy


def epochs_of(images: np.ndarray, enabled: bool, seed: int, epochs: int) -> Iterator[np.ndarray]:
    """The training images for each epoch, freshly augmented when `enabled`. The next epoch's
    images are prepared on a helper thread while the current one trains (numpy frees the GIL)."""
    if not enabled:
        for _ in range(epochs):
            yield images
        return
    rng = np.random.default_rng(seed)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="augment") as pool:
        pending = pool.submit(augment, images, rng)
        for epoch in range(epochs):
            ready = pending.result()
            if epoch + 1 < epochs:
                pending = pool.submit(augment, images, rng)
            yield ready
