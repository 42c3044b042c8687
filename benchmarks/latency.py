"""Live prediction latency: preprocessing + prediction per canvas drawing, for every bundled
model, against `keras.Model.predict` called once per drawing (the common mistake); and the
PyTorch and Keras CNNs again in a fresh process that imports numpy before anything of
digitpad (numpy's BLAS threads once made that order ten times slower)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np

from benchmarks.common import ROOT, StealMeter, canvas_drawings, percentiles

N = 1000
N_PREDICT = 200  # Model.predict is slow; fewer calls give the same picture


def measure(predictor, drawings) -> tuple[float, float]:
    """p50 and p99 in ms of to_mnist + predict, after a warm-up."""
    from digitpad.preprocess import to_mnist

    for d in drawings[:20]:
        predictor.predict(to_mnist(d)[None])
    times = []
    for d in drawings:
        started = time.perf_counter()
        predictor.predict(to_mnist(d)[None])
        times.append((time.perf_counter() - started) * 1000)
    return percentiles(times)


def run() -> list[dict]:
    from digitpad import models
    from digitpad.predictors import load_any
    from digitpad.preprocess import to_mnist

    drawings = canvas_drawings(N)
    rows = []
    for path, card in models.list_models():
        if not card.bundled:
            continue
        predictor = load_any(path)
        p50, p99 = measure(predictor, drawings)
        rows.append({"model": card.title, "p50_ms": p50, "p99_ms": p99})
        if card.backend == "keras" and card.arch == "cnn":
            model = predictor.model
            model.predict(np.zeros((1, 28, 28), np.float32), verbose=0)
            slow = []
            for d in drawings[:N_PREDICT]:
                started = time.perf_counter()
                model.predict(to_mnist(d)[None], verbose=0)
                slow.append((time.perf_counter() - started) * 1000)
            s50, s99 = percentiles(slow)
            rows.append(
                {
                    "model": "Keras CNN via Model.predict() (baseline)",
                    "p50_ms": s50,
                    "p99_ms": s99,
                    "ratio": s50 / p50,
                }
            )
    return rows


NUMPY_FIRST = """
import numpy  # before anything of digitpad: the order that used to cost 10x
import sys
sys.path.insert(0, {root!r})
from benchmarks.latency import numpy_first_child
numpy_first_child({backend!r})
"""


def numpy_first(backend: str) -> dict:
    """The bundled CNN's latency in a new process that imported numpy first."""
    code = NUMPY_FIRST.format(root=str(ROOT), backend=backend)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def numpy_first_child(backend: str) -> None:
    from digitpad.predictors import load_predictor

    p50, p99 = measure(load_predictor(backend), canvas_drawings(N))
    print(json.dumps({"backend": backend, "p50_ms": p50, "p99_ms": p99}))


if __name__ == "__main__":
    with StealMeter() as steal:
        for row in run():
            print(row)
        for backend in ("torch", "keras"):
            print(numpy_first(backend))
    print({"steal_percent": steal.percent})
