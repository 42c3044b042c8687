"""Numbers written with real pen digits, for number mode's tests and benchmark: digits placed in
a row the way people write one (each as near the last as its shape allows, so boxes overlap and
ink may touch), slanted as other hands slant, and a 9's loop and tail drawn as two strokes.
Qt-free: numpy only."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from digitpad.pendigits import PenDigit, Strokes, fit

MAX_OVERLAP = 0.15  # neighbours' boxes overlap by at most this share of the digit's height


def lift_at_loop(digit: PenDigit) -> PenDigit:
    """The digit in two strokes, the pen lifted where its first stroke comes back nearest its
    start (a 9's loop closing, before its tail): many people draw a 9 so, pendigits' writers
    nearly never, and number mode must read both."""
    path = digit.strokes[0]
    near = np.linalg.norm(path - path[0], axis=1)
    first = len(path) // 3
    k = first + int(np.argmin(near[first : max(first + 1, int(0.85 * len(path)))]))
    return PenDigit(digit.label, digit.writer, (path[: k + 1], path[k:], *digit.strokes[1:]))


def slant(digit: PenDigit, lean: float) -> PenDigit:
    """The digit sheared sideways, `lean` px of x per px of height (> 0: its top leans left):
    people's slant differs, and a mouse draws more upright than the pendigits writers' pens."""
    bottom = float(np.vstack(digit.strokes)[:, 1].max())
    return PenDigit(
        digit.label,
        digit.writer,
        tuple(
            np.column_stack([s[:, 0] + lean * (s[:, 1] - bottom), s[:, 1]]).astype(np.float32)
            for s in digit.strokes
        ),
    )


def _profile(strokes: Strokes, rightmost: bool) -> dict[int, float]:
    """The rightmost (or leftmost) x of the strokes' lines in each pixel row."""
    out: dict[int, float] = {}
    pick = max if rightmost else min
    for s in strokes:
        steps = np.maximum(np.ceil(np.linalg.norm(np.diff(s, axis=0), axis=1)), 1).astype(int)
        dense = np.vstack(
            [s[:1]]
            + [np.linspace(a, b, k + 1)[1:] for a, b, k in zip(s[:-1], s[1:], steps, strict=True)]
        )
        for x, y in dense:
            row = int(round(float(y)))
            out[row] = pick(out.get(row, float(x)), float(x))
    return out


def _shift(row: Strokes, end: float, digit: Strokes, apart: float, cap: float) -> float:
    """How far right to move `digit` (its left edge at x = 0) for its lines to stay `apart` px
    from those of the `row` written so far (no row of pixels within `apart` nearer), its box
    overlapping the last digit's, which ends at x = `end`, by at most `cap` px."""
    right, left = _profile(row, True), _profile(digit, False)
    reach = int(np.ceil(apart))
    need = [
        right[r] - x for y, x in left.items() for r in range(y - reach + 1, y + reach) if r in right
    ]
    return max(max(need, default=end) + apart, end - cap)


def write_row(
    digits: Sequence[Strokes],
    heights: Sequence[float],
    clearances: Sequence[float],
    pen: float,
    drops: Sequence[float] | None = None,
) -> tuple[list[np.ndarray], list[int]]:
    """Digits written left to right, each `heights[i]` px high and `drops[i]` px lower than the
    first, its ink `clearances[i]` px clear of the ink before it (negative: the inks overlap, as
    when digits touch) with a round `pen`: the strokes in the order drawn, and for each the
    index of its digit."""
    drops = np.zeros(len(digits)) if drops is None else drops
    strokes: list[np.ndarray] = []
    owner: list[int] = []
    end = 0.0
    for i, digit in enumerate(digits):
        placed = fit(digit, int(heights[i]), 1.0)
        low = np.vstack(placed).min(axis=0)
        placed = [s - low + np.array([0, drops[i]], np.float32) for s in placed]
        x = (
            _shift(strokes, end, placed, pen + clearances[i], MAX_OVERLAP * heights[i])
            if strokes
            else 0.0
        )
        strokes += [s + np.array([x, 0], np.float32) for s in placed]
        owner += [i] * len(placed)
        end = float(np.vstack(strokes[-len(placed) :])[:, 0].max())
    return strokes, owner
