"""View > Compare models, measured in the real window (offscreen): the live update of one drawing
(the window's reading, the compare view reading the same 28x28 image with its models, and the
repaint of both) with three models compared, against the same window reading with its one
model and the view closed; and the resident memory each extra compared model adds, in fresh
processes, in the order a person would add them. Target: three models' update p50 <= 3x one's.

    .venv/bin/python benchmarks/compare_view.py [--digits 100]      (also run by `make bench`)

The drawings are pen digits of the pendigits test writers (the bundled training writers where
the test file is missing), drawn with mouse events; the passes alternate (one model, three, one,
three, ...) so that a slow spell of a shared machine falls on both.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DIGITPAD_HOME", tempfile.mkdtemp(prefix="digitpad-compare-"))

from benchmarks.common import StealMeter, percentiles, write_results  # noqa: E402
from benchmarks.reading import TES  # noqa: E402

TITLE = "## Compare models (View > Compare models, the real window offscreen)"
COMPARED = (("torch", "cnn"), ("keras", "cnn"), ("torch", "mlp"))  # the first reads the canvas
# The orders in which models are added to the view for the memory figures, one process each.
ORDERS = ((("torch", "mlp"), ("keras", "cnn"), ("keras", "mlp")), (("onnx", "cnn"),))
TARGET_RATIO = 3.0
PASSES = 3  # over the digits, each side, alternating


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _wait(app, done, timeout: float = 180.0) -> None:
    end = time.time() + timeout
    while not done():
        if time.time() > end:
            raise TimeoutError("gave up waiting")
        app.processEvents()
        time.sleep(0.005)


def _window(app):
    from digitpad.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(960, 700)
    window.show()
    _wait(app, lambda: window.predictor is not None)
    return window


def _compare(app, window, paths: list[Path]):
    from digitpad.ui import settings

    settings.put("compare/models", "\n".join(map(str, paths)))  # no other model loads first
    view = window.open_compare()
    _wait(app, lambda: all(c.predictor or c.error for c in view.columns))
    return view


def _update_ms(app, window, view, digits) -> list[float]:
    """Draw each digit (not timed), then time one live update: the window's reading (which
    has the open compare view read too) and the repaint of the panel and the view."""
    from digitpad.pendigits import fit
    from tests.gui import drag

    times = []
    side = window.canvas.width()
    for digit in digits:
        window.canvas.clear()
        for stroke in fit(digit.strokes, side, 0.7):
            drag(window.canvas, [(float(x), float(y)) for x, y in stroke])
        app.processEvents()  # the readings the strokes asked for, not timed
        started = time.perf_counter()
        window.predict_drawing()
        window.panel.repaint()
        if view.isVisible():
            view.repaint()
        times.append((time.perf_counter() - started) * 1000)
    return times


def latency(n_digits: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from digitpad import models, pendigits

    app = QApplication.instance() or QApplication([])
    load = os.getloadavg()[0]
    source = TES if TES.is_file() else pendigits.default_path()
    digits = pendigits.read(source)[:n_digits]
    window = _window(app)
    paths = [models.default_model(b, a) for b, a in COMPARED]
    view = _compare(app, window, paths)
    view.hide()
    one, three = [], []
    for pass_ in range(2 * PASSES):
        if pass_ % 2:
            view.show()
            _wait(app, lambda: all(c.predictor for c in view.columns))
        (three if pass_ % 2 else one).extend(_update_ms(app, window, view, digits))
        view.hide()
    columns = [models.read_card(path).title for path in paths]
    window.close()
    (o50, o99), (t50, t99) = percentiles(one), percentiles(three)
    return {
        "one_p50": o50,
        "one_p99": o99,
        "three_p50": t50,
        "three_p99": t99,
        "ratio": t50 / o50,
        "updates": len(one),
        "digits": len(digits),
        "models": columns,
        "load": load,
        "source": source.name,
    }


def memory_child(order: list[tuple[str, str]]) -> None:
    """In a fresh process: the window with the PyTorch CNN, then the compare view with it and
    one more model at a time; resident memory after each."""
    import gc

    from PySide6.QtWidgets import QApplication

    from digitpad import models

    app = QApplication.instance() or QApplication([])
    window = _window(app)
    window.predict_drawing()
    steps = [("the window, PyTorch CNN loaded", _rss_mb())]
    active = models.default_model("torch")
    view = _compare(app, window, [active, active])  # two columns, one model: what the view costs
    gc.collect()
    steps.append(("compare view open (the same model twice)", _rss_mb()))
    for i, (backend, arch) in enumerate(order):
        path = models.default_model(backend, arch)
        if i == 0:
            view.columns[1].choose(path)  # the second column gets a model of its own
        else:
            view.add_column(path)
        _wait(app, lambda: all(c.predictor or c.error for c in view.columns))
        window.predict_drawing()
        gc.collect()
        steps.append((f"+ {models.read_card(path).title}", _rss_mb()))
    window.close()
    print(json.dumps(steps))


def memory() -> list[list[tuple[str, float]]]:
    runs = []
    for order in ORDERS:
        env = dict(os.environ, DIGITPAD_HOME=tempfile.mkdtemp(prefix="digitpad-bench-"))
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", json.dumps(order)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
            check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return runs


def table(lat: dict, mem: list, steal: float | None) -> tuple[str, list[str]]:
    lines = [
        TITLE,
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')}; `benchmarks/compare_view.py`, "
        f"{lat['digits']} pen digits ({lat['source']}) drawn with mouse events, "
        f"{PASSES} passes each side, alternating ({lat['updates']} updates a side).",
        "",
        "| live update (reading + repaint) | p50 ms | p99 ms |",
        "| --- | ---: | ---: |",
        f"| one model, compare view closed | {lat['one_p50']:.2f} | {lat['one_p99']:.2f} |",
        f"| three models compared ({', '.join(lat['models'])}) | {lat['three_p50']:.2f} | "
        f"{lat['three_p99']:.2f} |",
        "",
        f"Three models: {lat['ratio']:.2f}x one model's p50 (target <= {TARGET_RATIO:.0f}x).",
    ]
    if steal is not None:
        lines.append(
            f"CPU time taken by the hypervisor (steal) meanwhile: {steal:.0f}%; load "
            f"average {lat['load']:.1f} on {os.cpu_count()} cores at the start."
        )
    lines += [
        "",
        "| resident memory, fresh process | MB | this step adds |",
        "| --- | ---: | ---: |",
    ]
    for i, steps in enumerate(mem, start=1):
        before = None
        for what, mb in steps:
            what = f"process {i}: {what}" if before is None else what
            lines.append(
                f"| {what} | {mb:,.0f} | {'' if before is None else f'{mb - before:+,.0f}'} |"
            )
            before = mb
    lines += [
        "",
        "The model reading the canvas is not asked twice (its column shows the window's "
        "reading); each other model costs one `predict` of the same 28x28 image and the "
        "repaint of its column. Memory: a model of a framework already loaded costs a "
        "few MB; the first model of another framework brings that framework (TensorFlow "
        "for Keras, ONNX Runtime for .onnx). The view holds at most "
        "four models, shared with the window's cache of loaded models.",
    ]
    missed = []
    if lat["ratio"] > TARGET_RATIO:
        missed.append(
            f"compare view with 3 models: live update p50 {lat['ratio']:.1f}x one "
            f"model's (target {TARGET_RATIO:.0f}x)"
        )
    return "\n".join(lines) + "\n", missed


def run(n_digits: int) -> tuple[str, list[str]]:
    with StealMeter() as steal:
        lat = latency(n_digits)
    return table(lat, memory(), steal.percent)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=100)
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child([tuple(step) for step in json.loads(args.memory_child)])
    else:
        text, missed = run(args.digits)
        write_results(text)
        print(text + "".join(f"\n- missed: {m}" for m in missed))
