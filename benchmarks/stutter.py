"""Does training make the window stutter? A real window (offscreen) reads a drawing every frame
(16 ms timer: preprocessing + prediction on the GUI thread, as while drawing) while the panel's
default CNN training runs on its worker thread, for a fixed time. Reported per backend: the live
reading's p50/p99 and the longest the event loop went without turning (a 5 ms timer's largest
gap), against the same window idle. Targets: p99 <= 20 ms, event loop never blocked > 50 ms.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/stutter.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DIGITPAD_HOME", tempfile.mkdtemp(prefix="digitpad-stutter-"))

from benchmarks.common import canvas_drawings, percentiles  # noqa: E402

LIMITS = {  # what was found holding the window up, when a target is missed
    "keras": "What limits it: TensorFlow runs the window's reading and the training's ops on "
    "one shared thread pool, so a reading can wait behind a training op",
    "torch": "What limits it: the window's thread competes for the cores with training's "
    "threads (which run at a lower priority) and with anything else on the machine",
}
TITLE = "## Live reading while a CNN trains (the panel's defaults, on the worker thread)"


def measure(app, window, seconds: float, drawings) -> dict:
    """Read a drawing every frame for `seconds`; the reading times and the event loop's gaps."""
    from PySide6.QtCore import QTimer

    from digitpad.preprocess import to_mnist

    readings, gaps = [], []
    last = [time.perf_counter()]
    i = [0]

    def frame() -> None:
        started = time.perf_counter()
        predictor = window.predictor
        predictor.predict(to_mnist(drawings[i[0] % len(drawings)])[None])
        readings.append((time.perf_counter() - started) * 1000)
        i[0] += 1

    def beat() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timers = [QTimer(interval=16), QTimer(interval=5)]
    timers[0].timeout.connect(frame)
    timers[1].timeout.connect(beat)
    for t in timers:
        t.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    for t in timers:
        t.stop()
    p50, p99 = percentiles(readings)
    return {
        "p50_ms": p50,
        "p99_ms": p99,
        "block_ms": max(gaps) if gaps else 0.0,
        "frames": len(readings),
    }


def run(seconds: float) -> list[dict]:
    from PySide6.QtWidgets import QApplication

    from digitpad import models
    from digitpad.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.show()
    drawings = canvas_drawings(200)
    rows = []
    for backend in ("torch", "keras"):
        window.select_model(models.default_model(backend))
        deadline = time.time() + 120
        while (
            window.predictor is None or window.predictor.backend != backend
        ) and time.time() < deadline:
            app.processEvents()
            time.sleep(0.01)
        rows.append({"backend": backend, "state": "idle", **measure(app, window, 5, drawings)})
        panel = window.open_training()
        form = panel.form
        form.backend.setCurrentIndex(form.backend.findData(backend))
        form.arch.setCurrentIndex(form.arch.findData("cnn"))
        while not form.device.isEnabled():
            app.processEvents()
        panel.start()
        while not panel.view.loss_chart.series[0].count():  # past data loading: batches run
            app.processEvents()
            time.sleep(0.01)
        rows.append(
            {"backend": backend, "state": "training", **measure(app, window, seconds, drawings)}
        )
        panel.cancel()
        while panel.is_running():
            app.processEvents()
            time.sleep(0.01)
        panel.close()
    window.close()
    return rows


def table(rows: list[dict]) -> tuple[str, list[str]]:
    lines = [
        TITLE,
        "",
        "| backend | window | live reading p50 ms | p99 ms | longest event-loop "
        "gap ms | frames read |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    missed = []
    for r in rows:
        lines.append(
            f"| {r['backend']} | {r['state']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
            f"{r['block_ms']:.0f} | {r['frames']} |"
        )
        if r["state"] == "training" and (r["p99_ms"] > 20 or r["block_ms"] > 50):
            missed.append(
                f"{r['backend']}: live reading p99 {r['p99_ms']:.0f} ms, event loop "
                f"gap {r['block_ms']:.0f} ms while training (targets 20 / 50 ms). "
                f"{LIMITS[r['backend']]}"
            )
    return "\n".join(lines) + "\n", missed


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    text, missed = table(run(parser.parse_args().seconds))
    print(text + ("\n".join(f"- missed: {m}" for m in missed)))
