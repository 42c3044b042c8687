"""Helpers shared by the benchmark scripts: drawings, percentiles, the machine's description."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def canvas_drawings(n: int, seed: int = 0, canvas: int = 400) -> list[np.ndarray]:
    """MNIST test digits redrawn dark-on-light at random sizes and places on a canvas, the way
    the window hands drawings to the preprocessing."""
    from PIL import Image

    from digitpad.data import load_mnist

    rng = np.random.default_rng(seed)
    digits = load_mnist().test_x
    out = []
    for i in rng.choice(len(digits), n, replace=False):
        size = int(rng.integers(80, canvas))
        x, y = rng.integers(0, canvas - size + 1, 2)
        big = np.asarray(Image.fromarray(digits[i]).resize((size, size), Image.BILINEAR))
        sheet = np.zeros((canvas, canvas), np.uint8)
        sheet[y : y + size, x : x + size] = big
        out.append(255 - sheet)
    return out


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples_ms, 50)), float(np.percentile(samples_ms, 99))


class StealMeter:
    """The share of CPU time the hypervisor took from this VM while the block ran ("steal" in
    /proc/stat): on a shared VM it explains a slow run that the code did not cause."""

    def __enter__(self) -> StealMeter:
        self._start = _cpu_ticks()
        self.percent: float | None = None
        return self

    def __exit__(self, *exc: object) -> None:
        start, end = self._start, _cpu_ticks()
        if start and end:
            total = sum(end) - sum(start)
            self.percent = 100.0 * (end[7] - start[7]) / total if total else 0.0


def _cpu_ticks() -> list[int] | None:
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None
    ticks = [int(t) for t in first[1:9]]
    return ticks if len(ticks) == 8 else None


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(
        f"{d} {_version(d)}" for d in ("torch", "tensorflow", "keras", "PySide6", "numpy")
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}; {versions}"
    )


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


RESULTS = ROOT / "benchmarks" / "results.md"


def _split(text: str) -> tuple[str, dict[str, str]]:
    """A results file's header and its `## ` sections (title -> body), in order."""
    head, *chunks = ("\n" + text).split("\n## ")
    found = {}
    for chunk in chunks:
        title, _, body = chunk.partition("\n")
        found[title.strip()] = body.strip("\n")
    return head.strip("\n"), found


def write_results(text: str) -> str:
    """Put `text`'s sections into benchmarks/results.md, replacing those of the same title and
    keeping the others, so `make bench` and `make soak` each update their own part. Returns the
    file's new text."""
    old_head, old = _split(RESULTS.read_text() if RESULTS.exists() else "")
    new_head, new = _split(text)
    head = new_head if new_head.startswith("#") else old_head or "# Benchmark results"
    merged = {**old, **new}
    out = head + "".join(f"\n\n## {title}\n\n{body}" for title, body in merged.items()) + "\n"
    RESULTS.write_text(out)
    return out
