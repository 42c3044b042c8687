"""Number mode: several digits written in a row, found and read together.

From strokes (the canvas): `digitpad.stroke_groups` tells which strokes make each digit. From
pixels (a picture file): connected pieces of ink, with pieces that overlap horizontally (a 5's
detached bar, a broken stroke) merged; a piece much wider than the others (the long bar of a 7
reaching over its neighbour) joins only the one it overlaps most, so it never glues two digits.
Each digit then goes through `to_mnist`, and all of them through the predictor in ONE batch.
Qt-free: numpy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from digitpad.preprocess import to_mnist
from digitpad.stroke_groups import overlap, split_strokes

OVERLAP = 0.3  # share of the narrower of two pieces' widths that makes them one digit
WIDE = 1.6  # a piece this many times wider than the median piece only attaches
MIN_INK_SHARE = 0.002  # pieces of ink smaller than this share of the picture are specks
SHEET = 64  # px: the side each digit is drawn at before `to_mnist` (which keeps 20)
SEGMENT_PIXELS = 1_000_000  # a larger picture is found and read on a shrunk copy of itself
MAX_PIECES = 100  # pieces of ink grouped into digits at most (the largest), however many more


@dataclass
class Digit:
    digit: int
    confidence: float
    box: tuple[int, int, int, int]  # x, y, w, h in the input's pixels
    probabilities: list[float]
    image: np.ndarray | None = None  # the 28x28 image the network read

    def as_json(self) -> dict:
        return {
            "digit": self.digit,
            "confidence": round(self.confidence, 6),
            "box": list(self.box),
            "probabilities": [round(p, 6) for p in self.probabilities],
        }


def group_ranges(ranges: Sequence[tuple[float, float]]) -> list[list[int]]:
    """Indices of the items (x ranges) that form each digit, left to right."""
    n = len(ranges)
    if not n:
        return []
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    widths = np.array([r[1] - r[0] for r in ranges])
    typical = float(np.median(widths)) or 1.0
    wide = [i for i in range(n) if widths[i] > WIDE * typical and n > 2]
    core = [i for i in range(n) if i not in wide]
    for a in core:
        for b in core:
            if a < b and overlap(ranges[a], ranges[b]) >= OVERLAP:
                parent[root(b)] = root(a)
    for i in wide:  # attach to the core group it overlaps most, if any
        spans: dict[int, float] = {}
        for j in core:
            shared = min(ranges[i][1], ranges[j][1]) - max(ranges[i][0], ranges[j][0])
            if shared > 0:
                spans[root(j)] = spans.get(root(j), 0.0) + shared
        if spans:
            parent[i] = max(spans, key=spans.get)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: min(ranges[i][0] for i in g))


def read(
    predictor, pictures: list[np.ndarray], boxes: list[tuple[int, int, int, int]]
) -> list[Digit]:
    """Read digit pictures (each ink-on-paper, any size) in one batch; skip those with no ink."""
    images, kept = [], []
    for picture, box in zip(pictures, boxes, strict=True):
        image = to_mnist(picture)
        if image is not None:
            images.append(image)
            kept.append(box)
    if not images:
        return []
    probs = predictor.predict(np.stack(images))
    return [
        Digit(int(p.argmax()), float(p.max()), box, p.astype(float).tolist(), image)
        for p, box, image in zip(probs, kept, images, strict=True)
    ]


def number_text(digits: Sequence[Digit]) -> str | None:
    return "".join(str(d.digit) for d in digits) or None


# --- from strokes (grouped by digitpad.stroke_groups) --------------------------------------------
def read_strokes(predictor, strokes: Sequence[np.ndarray], pen: float) -> list[Digit]:
    """Read a row of digits drawn as strokes (points in pixels, y downwards) with a round pen
    `pen` pixels wide, each digit drawn on its own square sheet the way the canvas draws."""
    from digitpad.pendigits import render

    pictures, boxes = [], []
    for group in split_strokes(strokes, pen):
        chosen = [np.asarray(strokes[i], np.float32) for i in group]
        every = np.vstack(chosen)
        low, high = every.min(axis=0) - pen / 2, every.max(axis=0) + pen / 2
        side = float((high - low).max()) * 1.2 + 4
        k = min(1.0, SHEET / side)  # to_mnist keeps 20 px of it: a small sheet is plenty
        shift = (side - (high - low)) / 2 - low
        pictures.append(
            render(
                [(c + shift.astype(np.float32)) * np.float32(k) for c in chosen],
                max(8, round(side * k)),
                pen * k,
                fill=None,
            )
        )
        boxes.append((int(low[0]), int(low[1]), int(high[0] - low[0]), int(high[1] - low[1])))
    return read(predictor, pictures, boxes)


# --- from pixels --------------------------------------------------------------------------------
def components(ink: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x, y, w, h) of the 8-connected pieces of a boolean ink mask: the runs of
    ink of each row, joined to the runs they touch in the row above, all in whole-array steps
    (no Python loop over pixels or runs)."""
    ink = np.asarray(ink, bool)
    height, width = ink.shape
    edges = np.diff(np.pad(ink, ((0, 0), (1, 1))).view(np.int8), axis=1)
    rows, starts = np.nonzero(edges == 1)
    ends = np.nonzero(edges == -1)[1]  # exclusive; row-major order pairs them with the starts
    if not len(rows):
        return []
    line = width + 2  # a run's start and end as one sortable number per row
    first = np.searchsorted(rows * line + ends, (rows - 1) * line + starts, "left")
    last = np.searchsorted(rows * line + starts, (rows - 1) * line + ends, "right")
    touching = np.maximum(last - first, 0)  # runs of the row above within one column
    below = np.repeat(np.arange(len(rows)), touching)
    above = (
        np.arange(touching.sum())
        - np.repeat(np.cumsum(touching) - touching, touching)
        + np.repeat(first, touching)
    )
    label = _join(len(rows), below, above)
    pieces, label = np.unique(label, return_inverse=True)
    box = np.empty((4, len(pieces)), np.int64)
    box[0], box[1] = width, height
    box[2:] = 0
    np.minimum.at(box[0], label, starts)
    np.minimum.at(box[1], label, rows)
    np.maximum.at(box[2], label, ends)
    np.maximum.at(box[3], label, rows + 1)
    return [(int(x0), int(y0), int(x1 - x0), int(y1 - y0)) for x0, y0, x1, y1 in box.T]


def _join(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest member of each connected group of n items joined by the pairs (a, b): each
    group's root hooks onto the smallest root it touches, then every item jumps to its root,
    until no pair joins two groups (a few rounds: each round at least halves most groups)."""
    label = np.arange(n)
    while len(a):
        la, lb = label[a], label[b]
        apart = la != lb
        a, b, la, lb = a[apart], b[apart], la[apart], lb[apart]
        np.minimum.at(label, np.maximum(la, lb), np.minimum(la, lb))
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
    return label


def split_picture(paper: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes of the digits in a picture (uint8 or float, dark ink on light paper), left to
    right: connected pieces of ink, specks dropped, overlapping pieces merged."""
    gray = np.asarray(paper, np.float32)
    if gray.max() > 1.0:
        gray = gray / 255.0
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    ink = gray < 0.5 if np.median(border) >= 0.5 else gray >= 0.5  # either polarity
    found = np.array(components(ink), np.int64).reshape(-1, 4)
    table = np.pad(ink.cumsum(0, np.int64).cumsum(1), ((1, 0), (1, 0)))  # ink above-left
    x0, y0, x1, y1 = found[:, 0], found[:, 1], found[:, 0] + found[:, 2], found[:, 1] + found[:, 3]
    inside = table[y1, x1] - table[y0, x1] - table[y1, x0] + table[y0, x0]  # ink in each box
    big = np.flatnonzero(inside >= MIN_INK_SHARE * ink.size)
    big = np.sort(big[np.argsort(-inside[big], kind="stable")[:MAX_PIECES]])
    pieces = [tuple(int(v) for v in found[i]) for i in big]
    groups = group_ranges([(b[0], b[0] + b[2]) for b in pieces])
    out = []
    for group in groups:
        x0 = min(pieces[i][0] for i in group)
        y0 = min(pieces[i][1] for i in group)
        x1 = max(pieces[i][0] + pieces[i][2] for i in group)
        y1 = max(pieces[i][1] + pieces[i][3] for i in group)
        out.append((x0, y0, x1 - x0, y1 - y0))
    return out


def shrink(paper: np.ndarray) -> tuple[np.ndarray, int]:
    """A gray picture of at most SEGMENT_PIXELS, each pixel the mean of a k x k block (the
    paper's colour beyond the edges), and k: digits are found and read on it, so a huge
    picture costs no more than a screenful."""
    height, width = paper.shape
    k = max(1, int(np.ceil(np.sqrt(height * width / SEGMENT_PIXELS))))
    while -(-height // k) * -(-width // k) > SEGMENT_PIXELS:
        k += 1
    if k == 1:
        return paper, 1
    border = np.concatenate([paper[0], paper[-1], paper[:, 0], paper[:, -1]])
    padded = np.pad(paper, ((0, -height % k), (0, -width % k)), constant_values=np.median(border))
    blocks = padded.reshape(padded.shape[0] // k, k, padded.shape[1] // k, k)
    return blocks.mean(axis=(1, 3), dtype=np.float32).astype(paper.dtype), k


def _gray(paper: np.ndarray) -> np.ndarray:
    """A picture as one gray channel; transparent parts count as white paper."""
    if paper.ndim == 2:
        return paper
    rgb = paper[..., :3].astype(np.float32)
    lum = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    if paper.shape[-1] == 4:
        alpha = paper[..., 3].astype(np.float32) / 255.0
        lum = lum * alpha + 255.0 * (1.0 - alpha)
    return np.round(lum).astype(np.uint8)


def read_picture(predictor, paper: np.ndarray) -> list[Digit]:
    """Read the digits of a picture (dark ink on light paper, as `images.read_image` gives);
    the boxes are in the picture's own pixels, also when it was read shrunk."""
    gray = _gray(np.asarray(paper))
    paper, k = shrink(gray)
    boxes = split_picture(paper)
    border = np.concatenate([paper[0], paper[-1], paper[:, 0], paper[:, -1]])
    white = np.median(border)  # the paper's own colour around each cut-out digit
    pictures = []
    for x, y, w, h in boxes:
        pad = max(w, h) // 4 + 2
        crop = np.full((h + 2 * pad, w + 2 * pad), white, paper.dtype)
        crop[pad : pad + h, pad : pad + w] = paper[y : y + h, x : x + w]
        pictures.append(crop)
    height, width = gray.shape
    return read(
        predictor,
        pictures,
        [
            (x * k, y * k, min(w * k, width - x * k), min(h * k, height - y * k))
            for x, y, w, h in boxes
        ],
    )
