"""Number mode, measured: whole numbers of 2-8 digits built from the pen drawings of the 14
pendigits `.tes` writers (people the models never saw), each number by one writer, placed in a row
the way people write (each digit as close to the last as its shape allows, leaving an ink
clearance that is sometimes nil: touching digits, boxes that overlap), with baseline wobble, size
and slant (upright and back-slanted, as a mouse draws, to forward-slanted), and read from their
strokes as the canvas would; against the same digits read one by one.
Two kinds of numbers: digits as the writers drew them, and numbers in which about half the digits
are two-stroke 4s, 5s, 7s and 9s (pendigits' writers drew 9s in one stroke: those are cut into a
loop and a tail, `pen_rows.lift_at_loop`). Also the time one live update of an 8-digit strip
takes (grouping, drawing, one batch through the network).

    .venv/bin/python benchmarks/number_mode.py [--numbers 300] [--writers tra] [--split-only]

`--writers tra` builds the numbers from the 30 training writers instead (what the grouping's
thresholds were chosen on); `--split-only` measures the stroke grouping alone, no network.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.reading import TES  # noqa: E402

TRA = TES.with_name("pendigits-orig.tra.gz")
PEN = 10.0  # px, for digits about 100 px high: the canvas's default pen at its default size
TOUCHING = 0.15  # share of neighbours whose ink touches (clearance -PEN/3..0)
CLEARANCE = (0.03, 0.35)  # otherwise the ink clearance, as shares of the digit's height
SLANT = 0.3  # each number's hand leans up to this many px sideways per px of height
TWO_STROKE = (4, 5, 7, 9)


def _choose(mine: list, rng: np.random.Generator, rich: bool):
    """One of a writer's digits; in a `rich` number half the time a two-stroke 4, 5, 7 or 9."""
    from digitpad.pen_rows import lift_at_loop

    if not rich or rng.random() < 0.5:
        return mine[rng.integers(len(mine))]
    label = int(rng.choice(TWO_STROKE))
    two = [d for d in mine if d.label == label and len(d.strokes) == 2]
    if label == 9:
        two += [lift_at_loop(d) for d in mine if d.label == 9 and len(d.strokes) == 1]
    same = two or [d for d in mine if d.label == label] or mine
    return same[rng.integers(len(same))]


def build(by_writer: list[list], rng: np.random.Generator, length: int, rich: bool = False):
    """One writer's digits written in a row: (strokes in pixels, the true number, the digits,
    the index of the digit each stroke belongs to)."""
    from digitpad.pen_rows import slant, write_row

    mine = by_writer[rng.integers(len(by_writer))]
    lean = rng.uniform(-SLANT, SLANT)  # one hand, one slant
    chosen = [slant(_choose(mine, rng, rich), lean) for _ in range(length)]
    heights = rng.uniform(80, 120, length)
    clearances = [
        rng.uniform(-PEN / 3, 0) if rng.random() < TOUCHING else rng.uniform(*CLEARANCE) * h
        for h in heights
    ]
    strokes, owner = write_row(
        [d.strokes for d in chosen], heights, clearances, PEN, rng.uniform(28, 52, length)
    )
    return strokes, "".join(str(d.label) for d in chosen), chosen, owner


def writers(path: Path) -> list[list]:
    from digitpad import pendigits

    out: dict[int, list] = {}
    for d in pendigits.read(path):
        out.setdefault(d.writer, []).append(d)
    return list(out.values())


def split_only(by_writer: list[list], n_numbers: int) -> str:
    """Numbers split into exactly their digits by the stroke grouping alone, per kind."""
    from digitpad.numbers import split_strokes

    lines = ["| numbers | digits | split exactly into their digits |", "| --- | ---: | ---: |"]
    for rich in (False, True):
        for length in (2, 4, 8):
            rng = np.random.default_rng(length + 10 * rich)
            right = 0
            for _ in range(n_numbers):
                strokes, _, _, owner = build(by_writer, rng, length, rich)
                truth = [[i for i, o in enumerate(owner) if o == k] for k in range(length)]
                right += split_strokes(strokes, PEN) == truth
            lines.append(f"| {KINDS[rich]} | {length} | {right / n_numbers:.1%} |")
    return "\n".join(lines)


KINDS = {False: "as written", True: "half two-stroke 4/5/7/9"}


def _edits(a: str, b: str) -> int:
    """Digits to add, drop or change to turn a into b: a number read with one digit split in
    two costs that digit, not every digit after it (the column "per digit, in numbers" counts
    a number read with too many or too few digits as all wrong)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def run(by_writer: list[list], n_numbers: int) -> str:
    from digitpad import numbers, pendigits
    from digitpad.predictors import load_predictor

    lines = [
        "| model | numbers | digits | count | read exactly | per digit, in numbers | per "
        "digit, aligned | the same digits one by one | live update of 8 digits, p50 ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for backend in ("torch", "keras"):
        predictor = load_predictor(backend)
        for rich in (False, True):
            for length in (2, 4, 8):
                rng = np.random.default_rng(length + 10 * rich)
                exact = right = aligned = alone = total = 0
                times = []
                for _ in range(n_numbers):
                    strokes, truth, chosen, _ = build(by_writer, rng, length, rich)
                    started = time.perf_counter()
                    found = numbers.read_strokes(predictor, strokes, PEN)
                    times.append((time.perf_counter() - started) * 1000)
                    text = numbers.number_text(found) or ""
                    exact += text == truth
                    if len(text) == len(truth):
                        right += sum(a == b for a, b in zip(text, truth, strict=True))
                    aligned += max(length - _edits(text, truth), 0)
                    one = pendigits.mnist_images(chosen, (18.0,), 160)
                    alone += int(
                        (
                            predictor.predict(one.images.astype(np.float32) / 255).argmax(axis=1)
                            == one.labels
                        ).sum()
                    )
                    total += length
                lines.append(
                    f"| {predictor.card.title} | {KINDS[rich]} | {length} | "
                    f"{n_numbers} | {exact / n_numbers:.1%} | {right / total:.2%} | "
                    f"{aligned / total:.2%} | {alone / total:.2%} | "
                    + (f"{np.median(times):.1f} |" if length == 8 else "|")
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=300)
    parser.add_argument("--writers", choices=("tes", "tra"), default="tes")
    parser.add_argument("--split-only", action="store_true")
    args = parser.parse_args()
    by_writer = writers(TES if args.writers == "tes" else TRA)
    print((split_only if args.split_only else run)(by_writer, args.numbers))


if __name__ == "__main__":
    main()
