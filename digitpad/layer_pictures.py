"""A layer's output as a picture, in numpy (no Qt): feature maps as a grid of tiles, a dense
layer as a strip of unit cells, one colour scale per layer. The inside view paints these arrays
and `digitpad activations --out` saves them, so both show a layer the same way.

Colours: zero is black, positive values run through a warm ramp (dark purple, red, orange, pale
yellow at the layer's largest magnitude), negative ones through a cool blue ramp, as Show why
colours towards and away; on a square-root scale, so that weak responses stay visible beside the
layer's strongest (a few units often reach several times what the rest do).

Pixels are packed 0xAARRGGBB in uint32 (what Qt paints without converting), one table look-up
each, and every tile is enlarged and placed in one pass: a live update of the CNN's layers took
4x the network's own time with RGB bytes, repeated enlargements and a transposed copy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# px: the side a feature map is shown at, enlarged by a whole factor to about this: in the
# window a 28x28 map pixel for pixel (and a 14x14 one twice, a 7x7 one four times), so the whole
# of today's CNN fits one screen and an update paints few pixels; larger in a picture file
TILE, FILE_TILE = 28, 56
GAP = 2  # px between tiles
LEVELS = 512  # colour steps on each side of zero
WARM = ((0, 0, 4), (40, 11, 84), (101, 21, 110), (159, 42, 99), (212, 72, 66), (245, 125, 21),
        (250, 193, 39), (252, 255, 164))  # fmt: skip
COOL = ((0, 0, 4), (10, 40, 90), (30, 90, 170), (90, 160, 230), (190, 225, 255))
WHITE = (255, 255, 255)


def pack(rgb: tuple[int, int, int] | np.ndarray) -> np.ndarray:
    """(..., 3) RGB -> opaque 0xFFRRGGBB uint32."""
    c = np.asarray(rgb, np.uint32)
    return (0xFF << 24) | (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]


def _ramp(anchors: tuple[tuple[int, int, int], ...]) -> np.ndarray:
    """LEVELS colours from zero to the largest magnitude, on a square-root scale."""
    at = np.sqrt(np.linspace(0, 1, LEVELS))
    stops = np.linspace(0, 1, len(anchors))
    rgb = [np.interp(at, stops, [c[k] for c in anchors]) for k in range(3)]
    return pack(np.rint(np.stack(rgb, axis=1)).astype(np.uint32))


# index 0 is the most negative, LEVELS - 1 zero (black either way), 2 * LEVELS - 1 the largest
LUT = np.concatenate([_ramp(COOL)[::-1], _ramp(WARM)])


def scale_of(values: np.ndarray) -> float:
    """The layer's one colour scale: its largest magnitude (1 for an all-zero layer)."""
    return float(np.abs(values).max(initial=0.0)) or 1.0


def colours(values: np.ndarray, scale: float) -> np.ndarray:
    """values -> packed uint32 colours of the same shape (a NaN shows as the extreme)."""
    with np.errstate(invalid="ignore"):
        index = (np.asarray(values, np.float32) * ((LEVELS - 0.5) / scale) + LEVELS).astype(np.intp)
    return np.take(LUT, index, mode="clip")


def to_rgb(argb: np.ndarray) -> np.ndarray:
    """Packed colours -> (..., 3) uint8 RGB, for a picture file."""
    return np.stack([(argb >> s) & 0xFF for s in (16, 8, 0)], axis=-1).astype(np.uint8)


@dataclass(frozen=True)
class Layout:
    """Tiles laid out in rows, worked out from the shape and the width alone (a live update
    lays out again only when they change): where each tile is, for painting, hover and click.
    A picture keeps a gap after the last column and row, in the background colour."""

    columns: int
    rows: int
    tile: tuple[int, int]  # one tile's height and width in px
    zoom: tuple[int, int]  # px per value, down and across
    shown: int  # tiles drawn (the first ones)
    total: int  # tiles there are
    gap: int = GAP

    @property
    def size(self) -> tuple[int, int]:
        """The picture's height and width in px (with the trailing gap)."""
        return self.rows * (self.tile[0] + self.gap), self.columns * (self.tile[1] + self.gap)

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


def map_layout(shape: tuple[int, ...], width: int | None = None, max_rows: int | None = None,
               tile: int = TILE, gap: int = GAP) -> Layout:  # fmt: skip
    """(height, width, channels) maps as tiles of about `tile` px, one per channel, in order:
    in rows of even length across `width` px, at most `max_rows` of them (then the first maps
    that fit); without a width, a square-ish grid of them all."""
    h, w, total = shape
    zoom = max(1, tile // max(h, w))
    across = math.ceil(math.sqrt(total)) if width is None else width // (w * zoom + gap)
    columns = max(1, across)
    rows = math.ceil(total / columns)
    if max_rows is not None and rows > max_rows:
        rows = max_rows
    else:
        columns = math.ceil(total / rows)  # 32 maps in rows of 16 and 16, not 30 and 2
    shown = min(total, columns * rows)
    return Layout(columns, rows, (h * zoom, w * zoom), (zoom, zoom), shown, total, gap)


def strip_layout(total: int, width: int = 640, height: int = 22, max_rows: int = 3) -> Layout:
    """A flat layer as a strip of cells, one per unit, wrapped to `width` px in at most
    `max_rows` rows (the first units when not all fit)."""
    cell = int(np.clip(width // max(total, 1), 3, 24))
    gap = 1 if cell >= 6 else 0
    columns = max(1, min(total, width // cell))
    rows = min(max_rows, math.ceil(total / columns))
    shown = min(total, rows * columns)
    return Layout(columns, rows, (height, cell - gap), (height, cell - gap), shown, total, gap)


def render(values: np.ndarray, layout: Layout, background: tuple[int, int, int] = WHITE,
           into: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """A layer's maps (height, width, channels) or units (n,) drawn as `layout` places them,
    on one colour scale: (height, width) packed colours. `into`, a picture this layout drew
    before, is drawn over (its gaps are already the background): a live update allocates and
    fills nothing."""
    if values.ndim == 3:
        tiles = np.moveaxis(values[:, :, : layout.shown], 2, 0)
    else:
        tiles = values[: layout.shown].reshape(-1, 1, 1)
    if into is None or into.shape != layout.size:
        into = np.full(layout.size, pack(background), np.uint32)
    _place(colours(tiles, scale_of(values)), layout, into)
    return into


def _place(tiles: np.ndarray, layout: Layout, picture: np.ndarray) -> None:
    """(n, h, w) packed tiles, each enlarged by the zoom, written into the layout's places in
    `picture` in one pass per row band through a strided view of it."""
    n, h, w = tiles.shape
    columns, (zy, zx), gap = layout.columns, layout.zoom, layout.gap
    line, px = picture.strides
    cells = np.lib.stride_tricks.as_strided(  # (tile row, y, repeat, tile column, x, repeat)
        picture,
        (layout.rows, h, zy, columns, w, zx),
        (line * (h * zy + gap), line * zy, line, px * (w * zx + gap), px * zx, px),
    )
    full, left = divmod(n, columns)
    cells[:full] = (
        tiles[: full * columns].reshape(full, columns, h, 1, w, 1).transpose(0, 2, 3, 1, 4, 5)
    )
    if left:  # the last row, part full
        cells[full, :, :, :left] = (
            tiles[full * columns :].reshape(left, h, 1, w, 1).transpose(1, 2, 0, 3, 4)
        )


def picture(values: np.ndarray) -> np.ndarray:
    """A whole layer as one RGB picture for a file: every map in a square-ish grid, or every
    unit in a strip 640 px wide, wrapped as often as it takes."""
    if values.ndim == 3:
        layout = map_layout(values.shape, tile=FILE_TILE)
    else:
        layout = strip_layout(len(values), max_rows=max(len(values), 1))
    argb = render(values, layout)
    return to_rgb(argb[: argb.shape[0] - layout.gap, : argb.shape[1] - layout.gap])
