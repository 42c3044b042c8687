"""A layer's output as a picture, in numpy (no Qt): feature maps as a grid of tiles, a dense
layer as a strip of unit cells, one colour scale per layer. The inside view paints these arrays
and `digitpad activations --out` saves them, so both show a layer the same way.

Colours: zero is black, positive values run through a warm ramp (dark purple, red, orange, pale
yellow at the layer's largest magnitude), negative ones through a cool blue ramp, as Show why
colours towards and away; on a square-root scale, so that weak responses stay visible beside the
layer's strongest (a few units often reach several times what the rest do).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_TILE = 56  # px: a map is enlarged by a whole factor up to this size...
MIN_TILE = 24  # ...and, laid out for a width, not below this (then the first maps that fit)
GAP = 2  # px between tiles
WARM = (
    (0, 0, 4),
    (40, 11, 84),
    (101, 21, 110),
    (159, 42, 99),
    (212, 72, 66),
    (245, 125, 21),
    (250, 193, 39),
    (252, 255, 164),
)
COOL = ((0, 0, 4), (10, 40, 90), (30, 90, 170), (90, 160, 230), (190, 225, 255))


def _ramp(anchors: tuple[tuple[int, int, int], ...]) -> np.ndarray:
    at = np.linspace(0, 255, len(anchors))
    return (
        np.stack([np.interp(np.arange(256), at, [c[k] for c in anchors]) for k in range(3)], axis=1)
        .round()
        .astype(np.uint8)
    )


WARM_LUT, COOL_LUT = _ramp(WARM), _ramp(COOL)


def scale_of(values: np.ndarray) -> float:
    """The layer's one colour scale: its largest magnitude (1 for an all-zero layer)."""
    return float(np.abs(values).max(initial=0.0)) or 1.0


def colours(values: np.ndarray, scale: float) -> np.ndarray:
    """values -> RGB uint8 (shape + (3,)): warm for positive, cool for negative, black at 0."""
    share = np.clip(np.nan_to_num(values / scale), -1.0, 1.0)
    index = np.rint(np.sqrt(np.abs(share)) * 255).astype(np.intp)
    return np.where((share < 0)[..., None], COOL_LUT[index], WARM_LUT[index])


@dataclass(frozen=True)
class Grid:
    """Tiles laid out in rows: the picture and where each tile is, for hover and click."""

    rgb: np.ndarray  # (height, width, 3) uint8
    columns: int
    rows: int
    tile: tuple[int, int]  # one tile's height and width in px
    zoom: tuple[int, int]  # px per value, down and across
    shown: int  # tiles drawn (the first ones)
    total: int  # tiles there are
    gap: int = GAP

    def at(self, x: int, y: int) -> tuple[int, int, int] | None:
        """(tile index, row in the tile, column in the tile) under pixel (x, y), or None."""
        th, tw = self.tile
        col, dx = divmod(int(x), tw + self.gap)
        row, dy = divmod(int(y), th + self.gap)
        index = row * self.columns + col
        if not (0 <= col < self.columns and 0 <= row < self.rows) or index >= self.shown:
            return None
        if dx >= tw or dy >= th:
            return None
        return index, dy // self.zoom[0], dx // self.zoom[1]


def _compose(
    tiles: np.ndarray, columns: int, rows: int, gap: int, background: tuple[int, int, int]
) -> np.ndarray:
    """(n, th, tw, 3) tiles -> one (rows * (th + gap) - gap, ...) picture, row by row."""
    n, th, tw, _ = tiles.shape
    padded = np.empty((rows * columns, th + gap, tw + gap, 3), np.uint8)
    padded[:] = background
    padded[:n, :th, :tw] = tiles
    picture = padded.reshape(rows, columns, th + gap, tw + gap, 3).transpose(0, 2, 1, 3, 4)
    picture = picture.reshape(rows * (th + gap), columns * (tw + gap), 3)
    return np.ascontiguousarray(picture[: rows * (th + gap) - gap, : columns * (tw + gap) - gap])


def map_grid(
    maps: np.ndarray,
    width: int | None = None,
    max_rows: int | None = None,
    background: tuple[int, int, int] = (255, 255, 255),
    max_tile: int = MAX_TILE,
    gap: int = GAP,
) -> Grid:
    """(height, width, channels) maps as tiles, one per channel, in order. With `width` (px) the
    largest whole zoom (tiles of MIN_TILE to `max_tile`) at which all fit in `max_rows` rows,
    in rows of even length, else the smallest zoom and the first maps that fit; without, a
    square-ish grid of them all."""
    h, w, total = maps.shape
    side = max(h, w)
    zoom, smallest = max(1, max_tile // side), max(1, -(-MIN_TILE // side))
    if width is None:
        columns = math.ceil(math.sqrt(total))
        rows = math.ceil(total / columns)
    else:
        while True:
            columns = max(1, (width + gap) // (w * zoom + gap))
            rows = math.ceil(total / columns)
            if zoom <= smallest or max_rows is None or rows <= max_rows:
                break
            zoom -= 1
        if max_rows is not None and rows > max_rows:
            rows = max_rows
        else:
            columns = math.ceil(total / rows)  # 32 maps in rows of 11, 11, 10, not 15, 15, 2
    shown = min(total, columns * rows)
    tiles = colours(np.moveaxis(maps[:, :, :shown], 2, 0), scale_of(maps))
    tiles = tiles.repeat(zoom, axis=1).repeat(zoom, axis=2)
    return Grid(
        _compose(tiles, columns, rows, gap, background),
        columns,
        rows,
        (h * zoom, w * zoom),
        (zoom, zoom),
        shown,
        total,
        gap,
    )


def strip(
    values: np.ndarray,
    width: int = 640,
    height: int = 22,
    max_rows: int = 3,
    background: tuple[int, int, int] = (255, 255, 255),
) -> Grid:
    """A flat layer as a strip of cells, one per unit, wrapped to `width` px in at most
    `max_rows` rows (the first units when not all fit)."""
    total = len(values)
    cell = int(np.clip((width + 1) // max(total, 1), 3, 24))
    gap = 1 if cell >= 6 else 0
    columns = max(1, (width + gap) // cell)
    rows = min(max_rows, math.ceil(total / columns))
    shown = min(total, rows * columns)
    tiles = colours(values[:shown], scale_of(values))[:, None, None, :]
    tiles = tiles.repeat(height, axis=1).repeat(cell - gap, axis=2)
    return Grid(
        _compose(tiles, columns, rows, gap, background),
        columns,
        rows,
        (height, cell - gap),
        (height, cell - gap),
        shown,
        total,
        gap,
    )


def picture(values: np.ndarray) -> np.ndarray:
    """A whole layer as one RGB picture for a file: every map in a square-ish grid, or every
    unit in a strip 640 px wide, wrapped as often as it takes."""
    if values.ndim == 3:
        return map_grid(values).rgb
    return strip(values, max_rows=max(len(values), 1)).rgb
