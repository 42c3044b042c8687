"""Which strokes of a number written on the canvas make each digit.

People finish a digit before starting the next, so strokes are taken in the order drawn: each goes
on with the digit being written or begins a new one. Whether two strokes are one digit is told by
where their lines are, not by their boxes alone: lines that meet or cross belong together (a 9's
loop and its tail, a 4's "L" and its down stroke, a 7's cross stroke), as does a piece less tall
than a digit lying over or under another near it (an 8 in two loops); two whole digits that touch
only graze, their lines a pen apart, and nothing wider than a digit is one. Pieces far less tall
than a digit (a 5's bar drawn apart, a dot) join the neighbour they meet or lie over. Thresholds
were chosen on numbers written with the pendigits training writers' digits
(`benchmarks/number_mode.py --writers tra`). Qt-free: numpy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

import numpy as np

SHORT = 0.75  # a group less tall than this share of a digit's height is not a whole digit
STACKED = 0.5  # ... and lying over another (this share of its width) joins it when NEAR
NEAR = 0.25  # share of a digit's height within which a piece joins its digit
DIGIT_WIDTH = 1.1  # a digit is at most this many times as wide as a digit is high
WIDEST = 1.4  # ... a wide one (a 4 or 5 with a long bar) when its strokes meet
PIECE = 0.6  # a group less tall than this share of the row's digits is part of one
MEET = 0.03  # with no pen given, lines this near (share of a digit's height) meet
GEOMETRY_POINTS = 32  # the grouping looks at about this many points of a stroke at most


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Horizontal overlap of two ranges as a share of the narrower one's width."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return shared / max(min(a[1] - a[0], b[1] - b[0]), 1e-6)


def _ink_distance(a: np.ndarray, b: np.ndarray) -> float:
    """The least distance between two strokes' centre lines: 0 where they cross."""

    def to_segments(p: np.ndarray, s: np.ndarray) -> np.ndarray:  # each point of p to s
        start, step = s[:-1], s[1:] - s[:-1]
        t = np.einsum("pki,ki->pk", p[:, None] - start[None], step) / np.maximum(
            np.einsum("ki,ki->k", step, step), 1e-9
        )
        return np.linalg.norm(
            p[:, None] - start[None] - np.clip(t, 0, 1)[..., None] * step, axis=-1
        ).min(axis=1)

    def side(o: np.ndarray, d: np.ndarray, x: np.ndarray) -> np.ndarray:  # of x from o + t d
        return np.sign(d[..., 0] * (x[..., 1] - o[..., 1]) - d[..., 1] * (x[..., 0] - o[..., 0]))

    if len(a) < 2 or len(b) < 2:  # a dot
        dot, line = (a, b) if len(a) < len(b) else (b, a)
        if len(line) < 2:
            return float(np.linalg.norm(dot[0] - line[0]))
        return float(to_segments(dot, line).min())
    p, r = a[:-1, None], (a[1:] - a[:-1])[:, None]
    q, u = b[None, :-1], (b[1:] - b[:-1])[None]
    if ((side(p, r, q) * side(p, r, q + u) < 0) & (side(q, u, p) * side(q, u, p + r) < 0)).any():
        return 0.0  # two segments cross: each one's ends lie on either side of the other
    return min(float(to_segments(a, b).min()), float(to_segments(b, a).min()))


class _Strokes:
    """Strokes as the grouping sees them: a few points each, their boxes, a digit's height and
    how near two lines must come to meet."""

    def __init__(self, strokes: Sequence[np.ndarray], pen: float | None) -> None:
        self.points = []
        for s in strokes:
            s = np.asarray(s, np.float32)
            step = -(-len(s) // GEOMETRY_POINTS)  # every step-th point and the last
            self.points.append(s if step == 1 else np.vstack([s[::step], s[-1:]]))
        low = np.array([p.min(axis=0) for p in self.points])
        high = np.array([p.max(axis=0) for p in self.points])
        self.boxes = np.hstack([low, high]).tolist()  # x0, y0, x1, y1 of each stroke
        # a digit's height: the median over strokes of the height of the ink around each (it
        # and the strokes whose boxes meet its box), whether its digit has one stroke or more
        meets = np.all((low[:, None] <= high[None]) & (high[:, None] >= low[None]), axis=2)
        top = np.where(meets, low[None, :, 1], np.inf).min(axis=1)
        bottom = np.where(meets, high[None, :, 1], -np.inf).max(axis=1)
        self.tall = float(median((bottom - top).tolist())) or 1.0
        self.meet = pen / 2 if pen else MEET * self.tall

    def box(self, group: list[int]) -> tuple[float, float, float, float]:
        """x0, y0, x1, y1 around the strokes of a group."""
        boxes = [self.boxes[i] for i in group]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    def distance(self, a: list[int], b: list[int], reach: float = np.inf) -> float:
        """The least distance between the lines of two groups of strokes (inf beyond reach)."""
        return min(
            (
                _ink_distance(self.points[i], self.points[j])
                for i in a
                for j in b
                if _gap(self.boxes[i], self.boxes[j]) <= reach
            ),
            default=np.inf,
        )

    def one_digit(self, a: list[int], b: list[int]) -> bool:
        """Whether two groups of strokes are one digit: yes when their lines meet or cross (a 4's
        "L" and its down stroke, a 9's loop and its tail) and together they are no wider than
        the widest digit, or when one, less tall than a digit, lies over or under the other, near
        it, and together they are no wider than a digit (an 8 in two loops, a 9's tail begun
        inside its loop). Two whole digits that touch only graze: their lines stay a pen apart."""
        one, two = self.box(a), self.box(b)
        width = max(one[2], two[2]) - min(one[0], two[0])
        lowest = min(one[3] - one[1], two[3] - two[1])
        if width > WIDEST * self.tall:
            return False
        reach = self.meet
        if (
            lowest < SHORT * self.tall
            and width <= DIGIT_WIDTH * self.tall
            and overlap((one[0], one[2]), (two[0], two[2])) >= STACKED
        ):
            reach = max(reach, NEAR * self.tall)
        return _gap(one, two) <= reach and self.distance(a, b, reach) <= reach


def _gap(one: Sequence[float], two: Sequence[float]) -> float:
    """How far apart two boxes (x0, y0, x1, y1) are along x or y, whichever is more (< 0: they
    overlap): no point of one is nearer than that to a point of the other."""
    return max(one[0] - two[2], two[0] - one[2], one[1] - two[3], two[1] - one[3])


def split_strokes(strokes: Sequence[np.ndarray], pen: float | None = None) -> list[list[int]]:
    """Which strokes (arrays of x, y points, in the order drawn) make each digit, left to right.

    People finish a digit before starting the next, so each stroke either goes on with the digit
    being written or begins a new one (`_Strokes.one_digit`); then neighbours left to right are
    joined by the same rule (a stroke added later), and pieces far less tall than a digit by
    `_attach_pieces`. Two strokes' lines meet when they come nearer than half the `pen` (their
    ink runs together, where two digits that touch only graze) or, with no pen given, MEET of a
    digit's height."""
    if not len(strokes):
        return []
    row = _Strokes(strokes, pen)
    groups = [[0]]
    for i in range(1, len(strokes)):
        if row.one_digit(groups[-1], [i]):
            groups[-1].append(i)
        else:
            groups.append([i])
    groups.sort(key=lambda g: row.box(g)[0])
    k = 0
    while k + 1 < len(groups):
        if row.one_digit(groups[k], groups[k + 1]):
            groups[k] += groups.pop(k + 1)
        else:
            k += 1
    return [sorted(g) for g in _attach_pieces(row, groups)]


def _attach_pieces(row: _Strokes, groups: list[list[int]]) -> list[list[int]]:
    """A piece far less tall than a digit (a 7's cross stroke or a 5's top bar, drawn first, last
    or sticking out sideways; a 9's loop apart from its tail) is no digit of its own: it joins
    the neighbour within reach whose lines it meets, or else the one it lies over most, or else
    the nearest; the shortest pieces first."""
    groups = [list(g) for g in groups]
    tried: set[tuple[int, ...]] = set()
    reach = NEAR * row.tall
    while len(groups) > 1:
        boxes = [row.box(g) for g in groups]
        heights = [b[3] - b[1] for b in boxes]
        typical = median(heights)  # the row's digits, most of them whole by now
        pieces = [
            k
            for k in np.argsort(heights, kind="stable")
            if heights[k] < PIECE * typical and tuple(groups[k]) not in tried
        ]
        if not pieces:
            return groups
        k = int(pieces[0])
        tried.add(tuple(groups[k]))
        near = {
            j: row.distance(groups[k], groups[j], reach)
            for j in (k - 1, k + 1)
            if 0 <= j < len(groups)
        }
        near = {j: d for j, d in near.items() if d <= reach}
        if not near:
            continue
        over = {j: min(boxes[j][2], boxes[k][2]) - max(boxes[j][0], boxes[k][0]) for j in near}
        best = max(near, key=lambda j: (near[j] <= row.meet, max(over[j], 0.0), -near[j]))
        piece = groups.pop(k)
        groups[best if best < k else best - 1] += piece
    return groups
