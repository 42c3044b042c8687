"""Live prediction latency: preprocessing + prediction per canvas drawing, for every bundled
model, against `keras.Model.predict` called once per drawing (the common mistake)."""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import canvas_drawings, percentiles

N = 1000
N_PREDICT = 200  # Model.predict is slow; fewer calls give the same picture


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
        for d in drawings[:20]:  # warm-up
            predictor.predict(to_mnist(d)[None])
        times = []
        for d in drawings:
            started = time.perf_counter()
            predictor.predict(to_mnist(d)[None])
            times.append((time.perf_counter() - started) * 1000)
        p50, p99 = percentiles(times)
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
            rows.append({"model": "Keras CNN via Model.predict() (baseline)", "p50_ms": s50,
                         "p99_ms": s99, "ratio": s50 / p50})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
