"""Number mode, measured: whole numbers of 2-8 digits built from the pen drawings of the 14
pendigits `.tes` writers (people the models never saw), each number by one writer, placed in a row
with varied spacing (some pairs nearly touching), baseline wobble and size, and read from their
strokes as the canvas would; against the same digits read one by one. Also the time one live
update of an 8-digit strip takes (grouping, drawing, one batch through the network).

    .venv/bin/python benchmarks/numbers.py [--numbers 300]
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

PEN = 10.0  # px, for digits about 100 px high: the canvas's default pen at its default size


def build(digits, rng: np.random.Generator, length: int):
    """One writer's digits placed in a row: (strokes in pixels, the true number)."""
    writers = np.array([d.writer for d in digits])
    writer = rng.choice(np.unique(writers))
    mine = np.flatnonzero(writers == writer)
    chosen = [digits[i] for i in rng.choice(mine, length)]
    from digitpad.pendigits import fit

    strokes, x = [], 20.0
    for d in chosen:
        height = rng.uniform(80, 120)
        placed = fit(d.strokes, int(height), 1.0)
        every = np.vstack(placed)
        low, high = every.min(axis=0), every.max(axis=0)
        shift = np.array([x, 40 + rng.uniform(-12, 12)], np.float32) - low
        strokes += [s + shift for s in placed]
        gap = rng.uniform(2, 30) if rng.random() < 0.85 else rng.uniform(-2, 2)  # nearly touching
        x += float((high - low)[0]) + PEN + gap
    return strokes, "".join(str(d.label) for d in chosen), chosen


def run(n_numbers: int) -> str:
    from digitpad import numbers, pendigits
    from digitpad.predictors import load_predictor

    digits = pendigits.read(TES)
    lines = [
        "| model | digits | numbers | read exactly | per digit, in numbers | the same digits "
        "one by one | live update of 8 digits, p50 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for backend in ("torch", "keras"):
        predictor = load_predictor(backend)
        for length in (2, 4, 8):
            rng = np.random.default_rng(length)
            exact = right = alone = total = 0
            times = []
            for _ in range(n_numbers):
                strokes, truth, chosen = build(digits, rng, length)
                started = time.perf_counter()
                found = numbers.read_strokes(predictor, strokes, PEN)
                times.append((time.perf_counter() - started) * 1000)
                text = numbers.number_text(found) or ""
                exact += text == truth
                if len(text) == len(truth):
                    right += sum(a == b for a, b in zip(text, truth, strict=True))
                one = pendigits.mnist_images(chosen, (18.0,), 160)
                alone += int(
                    (
                        predictor.predict(one.images.astype(np.float32) / 255).argmax(axis=1)
                        == one.labels
                    ).sum()
                )
                total += length
            lines.append(
                f"| {predictor.card.title} | {length} | {n_numbers} | "
                f"{exact / n_numbers:.1%} | {right / total:.2%} | {alone / total:.2%} | "
                + (f"{np.median(times):.1f} |" if length == 8 else "|")
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=300)
    print(run(parser.parse_args().numbers))


if __name__ == "__main__":
    main()
