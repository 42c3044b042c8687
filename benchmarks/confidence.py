"""How far to trust a reading: for the bundled CNNs, on real pen drawings by the 14 writers they
never saw (pendigits `.tes`), how often readings under the "not sure" threshold
(`digitpad.certainty.UNSURE_BELOW`) are wrong against those over it, and how confident the
networks are on things that are no digit (random scribbles) or no longer the digit (rotated
half a turn, mirrored). Also the time "Show why" adds to a reading.

    .venv/bin/python benchmarks/confidence.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.reading import TES  # noqa: E402

N_SCRIBBLES = 500


def scribbles(n: int, seed: int = 0) -> np.ndarray:
    """Random strokes (2-4 wandering lines) drawn like the canvas draws, through to_mnist."""
    from digitpad import pendigits
    from digitpad.preprocess import to_mnist

    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        strokes = [
            np.cumsum(rng.normal(0, 30, (int(rng.integers(3, 12)), 2)), axis=0).astype(np.float32)
            for _ in range(int(rng.integers(2, 5)))
        ]
        image = to_mnist(pendigits.render(strokes, 160, 6.0))
        if image is not None:
            out.append(image)
    return np.array(out, np.float32)


def run() -> str:
    from digitpad import pendigits
    from digitpad.certainty import UNSURE_BELOW
    from digitpad.predictors import load_predictor

    digits = pendigits.read(TES)
    pen = pendigits.mnist_images(digits, (18.0,), 160)
    x, y = pen.images.astype(np.float32) / 255, pen.labels
    odd = {
        "random scribbles": scribbles(N_SCRIBBLES),
        "digits rotated half a turn (not 0, 1, 8)": np.rot90(
            x[~np.isin(y, (0, 1, 8))], 2, axes=(1, 2)
        ).copy(),
        "digits mirrored left-right (not 0, 1, 8)": x[~np.isin(y, (0, 1, 8)), :, ::-1].copy(),
    }
    lines = [
        f"Threshold: a reading under {UNSURE_BELOW:.0%} top probability is shown as "
        '"Not sure: 7, or maybe 1".\n',
        "| model | unseen pen drawings under the threshold | wrong among those | wrong "
        "among the others | "
        + " | ".join(f"{k}: read with >= {UNSURE_BELOW:.0%}" for k in odd)
        + " | Show why, p50 ms |",
        "| --- | ---: | ---: | ---: | " + "---: | " * len(odd) + "---: |",
    ]
    for backend in ("torch", "keras"):
        predictor = load_predictor(backend)
        probs = predictor.predict(x)
        top, right = probs.max(axis=1), probs.argmax(axis=1) == y
        unsure = top < UNSURE_BELOW
        confident_odd = [
            float((predictor.predict(v).max(axis=1) >= UNSURE_BELOW).mean()) for v in odd.values()
        ]
        times = []
        for image, best in zip(x[:200], probs[:200].argmax(axis=1), strict=True):
            started = time.perf_counter()
            predictor.explain(image, int(best))
            times.append((time.perf_counter() - started) * 1000)
        lines.append(
            f"| {predictor.card.title} | {unsure.mean():.1%} | "
            f"{(~right[unsure]).mean():.1%} | {(~right[~unsure]).mean():.2%} | "
            + " | ".join(f"{v:.0%}" for v in confident_odd)
            + f" | {np.median(times):.1f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
