"""How well the bundled models read: MNIST test scans, and real pen drawings by the 14 writers of
pendigits `.tes` whom no model ever saw (`../shared/pendigits/`), drawn as the canvas draws them,
at the default pen and at thin and thick pens, and as blocky low-resolution binary scans (16x16,
kept in proportion or stretched to fill the box, as some old digit collections are).

    .venv/bin/python benchmarks/reading.py [--write-cards]

`--write-cards` also stores the pen-drawing figures in the bundled models' cards (`scores`), so the
window and `digitpad evaluate` can show them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TES = ROOT.parent / "shared" / "pendigits" / "pendigits-orig.tes.gz"
SETS = (  # name, pens (canvas px), render size, blocky cells, stretched
    ("pen drawings, default pen", (18.0,), 480, None, False),
    ("pen drawings, thin and thick pens (8, 36 px)", (8.0, 36.0), 160, None, False),
    ("16x16 binary scans", (24.0, 36.0, 48.0), 160, 16, False),
    ("16x16 binary scans, stretched", (24.0, 36.0, 48.0), 160, 16, True),
)
TARGETS = {"cnn": 0.99, "mlp": 0.96}


def test_sets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from digitpad import pendigits
    from digitpad.data import load_mnist

    mnist = load_mnist()
    sets = {"MNIST test": (mnist.test_x.astype(np.float32) / 255, mnist.test_y)}
    if not TES.is_file():
        print(f"{TES} not found: pen-drawing figures skipped", file=sys.stderr)
        return sets
    digits = pendigits.read(TES)
    for name, pens, size, cells, stretch in SETS:
        images = pendigits.mnist_images(digits, pens, size, cells=cells, stretch=stretch)
        sets[name] = (images.images.astype(np.float32) / 255, images.labels)
    return sets


def run(write_cards: bool = False) -> list[dict]:
    from digitpad import backends, models
    from digitpad.predictors import load_any

    sets = test_sets()
    rows = []
    for path, card in models.list_models():
        if not card.bundled or not backends.get(card.backend).available():
            continue
        predictor = load_any(path)
        scores = {
            name: float((predictor.predict(x).argmax(1) == y).mean())
            for name, (x, y) in sets.items()
        }
        rows.append(
            {
                "model": card.title,
                "arch": card.arch,
                "backend": card.backend,
                "path": path,
                **scores,
            }
        )
        if write_cards and len(sets) > 1:
            card.scores = card.scores | {
                f"pendigits_tes: {k}": round(v, 6) for k, v in scores.items() if k != "MNIST test"
            }
            models.save_card(path, card)
    return rows


def table(rows: list[dict]) -> tuple[str, list[str]]:
    """The markdown table and the targets missed."""
    names = [k for k in rows[0] if k not in ("model", "arch", "backend", "path")]
    lines = ["| model | " + " | ".join(names) + " |", "| --- |" + " ---: |" * len(names)]
    missed = []
    for row in rows:
        lines.append(f"| {row['model']} | " + " | ".join(f"{row[n]:.2%}" for n in names) + " |")
        pen = row.get(SETS[0][0])
        if pen is not None and pen < TARGETS[row["arch"]]:
            missed.append(
                f"{row['model']} reads {pen:.2%} of unseen writers' pen drawings "
                f"(target {TARGETS[row['arch']]:.0%})"
            )
        if row["arch"] == "cnn" and row["MNIST test"] < 0.994:
            missed.append(
                f"{row['model']} reads {row['MNIST test']:.2%} of MNIST test (target 99.4%)"
            )
    by_arch: dict[str, list[float]] = {}
    for row in rows:
        if SETS[0][0] in row:
            by_arch.setdefault(row["arch"], []).append(row[SETS[0][0]])
    for arch, values in by_arch.items():
        if len(values) == 2 and abs(values[0] - values[1]) > 0.003:
            missed.append(
                f"{arch.upper()}: the backends differ by "
                f"{abs(values[0] - values[1]) * 100:.2f} points on pen drawings "
                "(target 0.3)"
            )
    return "\n".join(lines), missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-cards", action="store_true")
    args = parser.parse_args()
    text, missed = table(run(args.write_cards))
    print(text)
    for line in missed:
        print(f"missed: {line}")


if __name__ == "__main__":
    main()
