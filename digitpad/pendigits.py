"""Real pen-drawn digits (UCI "pendigits", raw trajectories), drawn the way digitpad's canvas draws.

The files keep every digit as the path of the pen, so a digit can be drawn again at any pen width
and canvas size, distorted the way mouse drawing distorts it, reduced to a blocky low-resolution
scan, and then read through the very `to_mnist` the app uses. Training, tests and benchmarks all
get their pen-drawn images from here, so they see what a user's drawing would give the network.
Qt-free: numpy and Pillow only.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from digitpad.errors import DatasetError
from digitpad.pen import DEFAULT_WIDTH
from digitpad.preprocess import to_mnist
from digitpad.resources import asset

CANVAS = 480  # the app's canvas side in pixels
PEN = float(DEFAULT_WIDTH)  # the app's default pen width in pixels
FILL = 0.7  # share of the canvas side a person's digit takes (its longer side)
TABLET = 500  # the tablet's box: y is flipped as TABLET - y so that it grows downwards
SUPERSAMPLE = 4  # anti-aliasing: draw this many times larger, then average blocks
CURVE_STEPS = 6  # line pieces per quadratic curve: finer than a pixel at any pen width

Strokes = Sequence[np.ndarray]  # each (K, 2) float32 x, y in pixels, y growing downwards


@dataclass(frozen=True)
class PenDigit:
    """One written digit: its label, its writer (numbered per file) and its pen strokes."""

    label: int
    writer: int
    strokes: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class PenImages:
    """MNIST-style renderings: (N, 28, 28) uint8 images (ink bright) and, per image, its label,
    writer and the pen width it was drawn with."""

    images: np.ndarray
    labels: np.ndarray
    writers: np.ndarray
    pens: np.ndarray


def default_path() -> Path:
    """The training file bundled with the app (30 writers; the test writers are never bundled)."""
    return asset("pendigits", "pendigits-orig.tra.gz")


def read(path: Path | str) -> list[PenDigit]:
    """Every digit of a UNIPEN-style pendigits file (plain or gzip), in file order.

    Strict, because a silently skipped stroke changes a digit: anything unexpected raises
    DatasetError naming the file and the line.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        text = raw.decode("ascii")
    except FileNotFoundError as err:
        raise DatasetError(f"{path}: missing (no such file)") from err
    except (OSError, EOFError, UnicodeDecodeError) as err:
        raise DatasetError(f"{path}: cannot be read ({err})") from err
    digits: list[PenDigit] = []
    label = writer = None
    strokes: list[np.ndarray] = []
    points: list[tuple[int, int]] | None = None  # the stroke being read (between pen down/up)
    number = 0

    def fail(number: int, why: str) -> DatasetError:
        return DatasetError(f"{path}, line {number}: {why}")

    def finish(number: int) -> None:
        if label is None:
            return
        if writer is None or not strokes:
            raise fail(number, f"digit {len(digits)} has no .COMMENT or no strokes")
        digits.append(PenDigit(label, writer, tuple(strokes)))

    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        key = words[0]
        if not key.startswith("."):
            if points is None:
                raise fail(number, f"a point outside .PEN_DOWN/.PEN_UP: {line.strip()!r}")
            try:
                x, y = (int(w) for w in words)
            except ValueError:
                raise fail(number, f"expected two integers 'x y', got {line.strip()!r}") from None
            points.append((x, TABLET - y))
        elif points is not None and key != ".PEN_UP":
            raise fail(number, f"{key} inside a stroke (missing .PEN_UP)")
        elif key == ".SEGMENT":
            finish(number)
            tag = words[-1]
            if len(words) < 5 or len(tag) != 3 or tag[::2] != '""' or not tag[1].isdigit():
                raise fail(number, f"expected '.SEGMENT DIGIT <n> ? \"<0-9>\"', got {line!r}")
            label, writer, strokes = int(tag[1]), None, []
        elif key == ".COMMENT" and label is not None:
            if len(words) < 3 or not words[2].isdigit() or words[1] != str(label):
                raise fail(number, f"expected '.COMMENT {label} <writer> <n>', got {line!r}")
            writer = int(words[2])
        elif key == ".PEN_DOWN":
            if label is None:
                raise fail(number, ".PEN_DOWN before the first .SEGMENT")
            points = []
        elif key == ".PEN_UP":
            if not points:
                raise fail(number, ".PEN_UP without a .PEN_DOWN or without points")
            strokes.append(np.array(points, np.float32))
            points = None
        # Other keywords (.INCLUDE, .LEXICON, .HIERARCHY, .DT timing) say nothing about shapes.
    if points is not None:
        raise fail(number, "the file ends inside a stroke (missing .PEN_UP)")
    finish(number)
    if not digits:
        raise DatasetError(f"{path}: holds no digits")
    return digits


def smooth(points: np.ndarray, steps: int = CURVE_STEPS) -> np.ndarray:
    """The canvas's path as a fine polyline: quadratic curves from midpoint to midpoint of
    successive samples, the samples being the control points, then a line to the last one."""
    p = np.asarray(points, np.float32)
    if len(p) < 3:
        return p
    mids = (p[1:] + p[:-1]) / 2
    start, ctrl, end = np.vstack([p[:1], mids[1:-1]]), p[1:-1], mids[1:]
    t = np.linspace(0.0, 1.0, steps + 1, dtype=np.float32)[1:, None]
    curves = (1 - t) ** 2 * start[:, None] + 2 * (1 - t) * t * ctrl[:, None] + t**2 * end[:, None]
    return np.vstack([p[:1], curves.reshape(-1, 2), p[-1:]])


def fit(strokes: Strokes, size: int = CANVAS, fill: float = FILL) -> list[np.ndarray]:
    """Place a digit as a person draws it: centred, its longer side `fill` of the canvas,
    aspect ratio kept."""
    every = np.vstack(strokes)
    low, high = every.min(axis=0), every.max(axis=0)
    scale = fill * size / max(float((high - low).max()), 1e-6)
    shift = size / 2 - (low + high) / 2 * scale
    return [s * np.float32(scale) + shift.astype(np.float32) for s in strokes]


def render(
    strokes: Strokes, size: int = CANVAS, pen: float = PEN, fill: float | None = FILL
) -> np.ndarray:
    """A (size, size) uint8 picture, black ink on white paper, as the canvas would show it:
    smoothed strokes with round caps and joins, anti-aliased by supersampling. With `fill`
    None the strokes are taken as canvas pixels already (no fitting)."""
    placed = fit(strokes, size, fill) if fill is not None else strokes
    ss = SUPERSAMPLE
    sheet = Image.new("L", (size * ss, size * ss), 255)
    draw = ImageDraw.Draw(sheet)
    width = max(1, round(pen * ss))
    r = width / 2
    for stroke in placed:
        path = smooth(stroke) * ss
        if len(path) > 1:
            # The smoothed path turns by only a few degrees per piece, so joins need no
            # rounding, but Pillow leaves hairline gaps between the pieces of a wide line: a
            # second line through the pieces' midpoints covers them (cheaper than a disc at
            # every joint, and as close to Qt's rendering). The ends get round caps.
            draw.line(path.ravel().tolist(), fill=0, width=width)
            if len(path) > 2:
                draw.line(((path[1:] + path[:-1]) / 2).ravel().tolist(), fill=0, width=width)
        for x, y in (path[0], path[-1]):
            draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
    return np.asarray(sheet.reduce(ss))


def blocky(
    image: np.ndarray,
    cells: int = 16,
    threshold: float = 0.5,
    scale: int = 10,
    stretch: bool = False,
) -> np.ndarray:
    """A low-resolution binary scan of a rendering: the ink box fitted into cells x cells
    (aspect kept, or stretched to fill the square), box-filtered, thresholded, then enlarged
    `scale` times with hard pixel edges. Old digit collections look like this (some stretched
    every digit to fill its box); the network must read them too."""
    ink = 1.0 - np.asarray(image, np.float32) / 255.0
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0.5), np.flatnonzero(ink.max(axis=0) > 0.5)
    if not len(rows):
        return np.full((cells * scale, cells * scale), 255, np.uint8)
    crop = Image.fromarray(ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
    k = cells / max(crop.size)
    w, h = max(1, round(crop.size[0] * k)), max(1, round(crop.size[1] * k))
    if stretch:
        w = h = cells
    small = np.asarray(crop.resize((w, h), Image.BOX)) >= threshold
    grid = np.zeros((cells, cells), bool)
    top, left = (cells - h) // 2, (cells - w) // 2
    grid[top : top + h, left : left + w] = small
    big = np.kron(grid, np.ones((scale, scale), bool))
    return np.where(big, 0, 255).astype(np.uint8)


def mnist_images(
    digits: Iterable[PenDigit],
    pens: Sequence[float] = (PEN,),
    size: int = CANVAS,
    fill: float = FILL,
    cells: int | None = None,
    stretch: bool = False,
) -> PenImages:
    """Every digit at every pen width (pen widths in pixels of a CANVAS-wide canvas, scaled to
    `size`), through `to_mnist`, as uint8 like MNIST. With `cells`, the blocky version.
    A smaller canvas (size 160) is about twice as fast and nearly the same to the networks
    (the bundled CNN's readings of the .tes digits agree on 99.5%)."""
    digits = list(digits)
    out = np.zeros((len(pens) * len(digits), 28, 28), np.uint8)
    for i, (pen, digit) in enumerate((p, d) for p in pens for d in digits):
        picture = render(digit.strokes, size, pen * size / CANVAS, fill)
        if cells:
            picture = blocky(picture, cells, stretch=stretch)
        mnist = to_mnist(picture)
        if mnist is not None:
            out[i] = np.round(mnist * 255)
    labels = np.array([d.label for d in digits], np.uint8)
    writers = np.array([d.writer for d in digits], np.int16)
    n = len(pens)
    return PenImages(
        out,
        np.tile(labels, n),
        np.tile(writers, n),
        np.repeat(np.asarray(pens, np.float32), len(digits)),
    )


def load_images(
    path: Path | str | None = None,
    pens: Sequence[float] = (PEN,),
    size: int = CANVAS,
    cells: int | None = None,
) -> PenImages:
    """`mnist_images` of a whole file (default: the bundled training file)."""
    return mnist_images(read(path or default_path()), pens, size, cells=cells)
