"""Start-up: process start to the main window's first paint and to "model ready" (median of 5
launches), against a bare PySide6 window launched the same way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PROBE = Path(__file__).with_name("startup_probe.py")
RUNS = 5


def _launch(*args: str) -> dict[str, float]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        DIGITPAD_HOME=tempfile.mkdtemp(prefix="digitpad-bench-"),
    )
    started = time.time()
    out = subprocess.run(
        [sys.executable, str(PROBE), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=True,
    ).stdout
    times = json.loads(out.strip().splitlines()[-1])
    return {k: v - started for k, v in times.items()}


def run() -> dict[str, float]:
    _launch()  # warm the file cache once, as a second launch of an installed app would be
    app = [_launch() for _ in range(RUNS)]
    bare = [_launch("--bare") for _ in range(RUNS)]
    result = {
        "window_s": float(np.median([r["paint"] for r in app])),
        "ready_s": float(np.median([r["ready"] for r in app])),
        "bare_window_s": float(np.median([r["paint"] for r in bare])),
    }
    result["ratio"] = result["window_s"] / result["bare_window_s"]
    return result


if __name__ == "__main__":
    print(run())


def built_program(program: Path, runs: int = RUNS) -> dict[str, float] | None:
    """The same measure for the packaged program, through its DIGITPAD_STARTUP_PROBE switch."""
    if not program.exists():
        return None
    window, ready = [], []
    for i in range(runs + 1):
        env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            DIGITPAD_STARTUP_PROBE="1",
            DIGITPAD_HOME=tempfile.mkdtemp(prefix="digitpad-bench-"),
        )
        started = time.time()
        out = subprocess.run(
            [str(program)], capture_output=True, text=True, env=env, timeout=180
        ).stdout
        marks = dict(
            line.split()
            for line in out.splitlines()
            if line.startswith(("first-paint", "model-ready"))
        )
        if i:  # the first launch warms the file cache
            window.append(float(marks["first-paint"]) - started)
            ready.append(float(marks["model-ready"]) - started)
    return {"window_s": float(np.median(window)), "ready_s": float(np.median(ready))}
