"""`digitpad --self-test`: proves an install (or a frozen build) works end to end. It loads every
bundled model, reads a bundled sample digit with each, and runs one training batch per backend."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

import numpy as np


def _checks() -> list[tuple[str, Callable[[], str]]]:
    from digitpad import models
    from digitpad.data import load_mnist
    from digitpad.predictors import load_any
    from digitpad.preprocess import to_mnist

    checks = []
    sample = {}

    def sample_digit() -> tuple[np.ndarray, int]:
        if not sample:
            data = load_mnist()
            # A test digit drawn dark on light at canvas size, as the window would see it.
            big = np.kron(255 - data.test_x[0], np.ones((10, 10), np.uint8))
            sample["digit"] = to_mnist(big)
            sample["label"] = int(data.test_y[0])
        return sample["digit"], sample["label"]

    def model_check(path):
        def run() -> str:
            predictor = load_any(path)
            digit, label = sample_digit()
            probs = predictor.predict(digit[None])[0]
            if int(probs.argmax()) != label:
                raise AssertionError(f"read {int(probs.argmax())}, expected {label}")
            return f"reads the sample {label} ({probs.max():.1%})"

        return run

    for path, card in models.list_models():
        if card.bundled:
            checks.append((f"model {path.name}", model_check(path)))

    def training_check(backend: str):
        def run() -> str:
            from digitpad import backends

            loss = backends.get(backend).training_step_check()
            if not math.isfinite(loss):
                raise AssertionError(f"loss {loss}")
            return f"one CPU training batch, loss {loss:.3f}"

        return run

    from digitpad import backends

    checks += [(f"train {b}", training_check(b)) for b in backends.trainable()]
    return checks


def run_self_test(out=None) -> int:
    """Print one line per check; exit status 0 only if every check passed."""
    out = out or sys.stdout
    failures = 0
    checks = _checks()
    if not any(name.startswith("model") for name, _ in checks):
        print("FAIL  no bundled models found", file=out)
        return 1
    for name, check in checks:
        started = time.perf_counter()
        try:
            detail = check()
            status = "ok  "
        except Exception as err:  # report every failure, then carry on with the others
            detail, status = f"{type(err).__name__}: {err}", "FAIL"
            failures += 1
        print(
            f"{status}  {name:<28} {detail}  [{time.perf_counter() - started:.1f} s]",
            file=out,
            flush=True,
        )
    print(f"self-test: {len(checks) - failures} passed, {failures} failed", file=out)
    return 1 if failures else 0
