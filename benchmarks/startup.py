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
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               DIGITPAD_HOME=tempfile.mkdtemp(prefix="digitpad-bench-"))
    started = time.time()
    out = subprocess.run([sys.executable, str(PROBE), *args], capture_output=True, text=True,
                         env=env, timeout=180, check=True).stdout
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
