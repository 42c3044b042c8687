"""Regenerate the README screenshots offscreen: `make screenshots` (writes docs/*.png).

Draws a digit with real mouse events, then captures the window at its default and a small size,
the retraining panel mid-training, the evaluation view, number mode with "Show why" on a number
written in real pen strokes, "Show why" on one digit, the samples window after teaching, and the
training runs of one network in PyTorch and in Keras. Uses a throw-away settings folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["DIGITPAD_HOME"] = tempfile.mkdtemp(prefix="digitpad-shots-")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.gui import drag  # noqa: E402

OUT = ROOT / "docs"
FOUR = [(0.62, 0.18), (0.42, 0.42), (0.3, 0.6), (0.5, 0.6), (0.72, 0.59)]
FOUR_STEM = [(0.6, 0.36), (0.6, 0.55), (0.61, 0.7), (0.61, 0.84)]


def wait(app: QApplication, done, timeout: float = 120.0) -> None:
    end = time.time() + timeout
    while not done():
        if time.time() > end:
            raise TimeoutError("gave up waiting")
        app.processEvents()
        time.sleep(0.01)


def stroke(canvas, points) -> None:
    side = canvas.width()
    drag(canvas, [(x * side, y * side) for x, y in _smooth(points)])


def _smooth(points, per_segment: int = 8):
    out = []
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        out += [
            (x0 + (x1 - x0) * t / per_segment, y0 + (y1 - y0) * t / per_segment)
            for t in range(per_segment)
        ]
    return out + [points[-1]]


def main(only: list[str]) -> None:
    app = QApplication.instance() or QApplication([])
    from digitpad.ui.main_window import MainWindow

    OUT.mkdir(exist_ok=True)
    window = MainWindow()
    window.resize(960, 700)
    window.show()
    wait(app, lambda: window.predictor is not None)
    if only:  # `python scripts/screenshots.py compare`: only the pictures of those sections
        for name in only:
            SECTIONS[name](app, window)
        window.close()
        return
    stroke(window.canvas, FOUR)
    stroke(window.canvas, FOUR_STEM)
    app.processEvents()
    window.grab().save(str(OUT / "window.png"))
    for name, size in (("window-large.png", (1400, 1000)), ("window-small.png", (640, 480))):
        window.resize(*size)
        app.processEvents()
        window.grab().save(str(OUT / name))
    window.resize(960, 700)

    panel = window.open_training()
    form = panel.form
    form.arch.setCurrentIndex(form.arch.findData("cnn"))
    form.epochs.setValue(4)
    panel.limit = (3000, 1000)
    wait(app, form.device.isEnabled)
    panel.start()
    wait(app, lambda: panel.view.table.rowCount() >= 2 and panel.view.progress.value() > 600, 600)
    panel.grab().save(str(OUT / "training.png"))
    window.grab().save(str(OUT / "window-training.png"))
    panel.cancel()
    wait(app, lambda: not panel.is_running())
    panel.close()

    dialog = window.open_evaluation()
    wait(app, lambda: dialog.result is not None)
    app.processEvents()
    dialog.grab().save(str(OUT / "evaluation.png"))
    dialog.close()
    numbers_and_samples(app, window)
    network_views(app, window)
    training_runs(app, window)
    compare_models(app, window)
    inside_views(app, window)
    window.close()
    print("wrote", ", ".join(p.name for p in sorted(OUT.glob("*.png"))))


def numbers_and_samples(app: QApplication, window) -> None:
    """A number written with real pen strokes (pendigits writers, bundled), then the samples
    window after teaching some of those digits."""
    import numpy as np

    from digitpad import pendigits

    digits = pendigits.read(pendigits.default_path())
    window.resize(1100, 620)
    window.canvas.clear()
    window.commands.number.trigger()
    window.commands.why.trigger()
    app.processEvents()
    canvas, x = window.canvas, 30.0
    for digit in (digits[i] for i in (2, 0, 12, 5)):
        placed = pendigits.fit(digit.strokes, int(canvas.height() * 0.6), 1.0)
        every = np.vstack(placed)
        for s in placed:
            drag(
                canvas, [(px - every[:, 0].min() + x, py - every[:, 1].min() + 50) for px, py in s]
            )
        x += float(np.ptp(every[:, 0])) + 45
    wait(app, lambda: len(window.predictionLabel.text()) == 4)
    window.grab().save(str(OUT / "number-mode.png"))
    window.commands.number.trigger()
    window.resize(960, 700)
    canvas.clear()
    stroke(canvas, FOUR)
    stroke(canvas, FOUR_STEM)
    wait(app, lambda: window.previewImage.showing_why() and canvas.showing_heat())
    window.grab().save(str(OUT / "show-why.png"))
    window.commands.why.trigger()
    for digit in digits[:40]:
        placed = pendigits.fit(digit.strokes, int(canvas.height() * 0.7), 1.0)
        every = np.vstack(placed)
        for s in placed:
            drag(
                canvas, [(px - every[:, 0].min() + 60, py - every[:, 1].min() + 60) for px, py in s]
            )
        app.processEvents()
        window.teacher.teach(digit.label)
    samples = window.open_samples()
    app.processEvents()
    samples.grab().save(str(OUT / "samples.png"))
    samples.close()


def network_views(app: QApplication, window) -> None:
    """The layer editor with the tutorial's first experiment, and a model summary."""
    from digitpad import models

    panel = window.open_training()
    editor = panel.form.network
    editor.preset.setCurrentIndex(editor.preset.findData("mlp"))
    editor.table.selectRow(editor._rows.index(0))
    editor.insert("dropout:0.2")
    editor.edit(0, "dense:256")
    editor.table.selectRow(editor._rows.index(1))
    app.processEvents()
    panel.grab().save(str(OUT / "layer-editor.png"))
    panel.close()
    keras_cnn = models.default_model("keras", "cnn")
    window.select_model(keras_cnn)
    wait(app, lambda: window.model_path == keras_cnn)
    summary = window.open_model_summary()
    app.processEvents()
    summary.grab().save(str(OUT / "model-summary.png"))
    summary.close()


def training_runs(app: QApplication, window) -> None:
    """The same network trained from the panel in PyTorch and in Keras (short runs on 3,000
    images), then both ticked in Model > Training runs."""
    panel = window.open_training()
    form = panel.form
    panel.limit = (3000, 1000)
    kept = []
    for backend in ("torch", "keras"):
        form.backend.setCurrentIndex(form.backend.findData(backend))
        form.arch.setCurrentIndex(form.arch.findData("mlp-dropout"))
        form.epochs.setValue(8)
        wait(app, form.device.isEnabled)
        panel.start()
        wait(app, lambda: not panel.is_running(), 600)
        kept.append(panel.last_model_path)
    panel.close()
    view = window.open_runs()
    for run in view.found:
        view.tick(run.id, run.model in kept)
    view.table.setCurrentCell(-1, -1)
    view.resize(1000, 760)
    app.processEvents()
    view.grab().save(str(OUT / "runs.png"))
    view.close()


def inside_views(app: QApplication, window) -> None:
    """View > Inside the network on a drawn 4: the bundled PyTorch CNN with its first filters
    and its first layer's strongest map laid over the input, then the PyTorch MLP."""
    from digitpad import models

    window.resize(960, 700)
    window.canvas.clear()
    stroke(window.canvas, FOUR)
    stroke(window.canvas, FOUR_STEM)
    if not window.commands.inside.isChecked():
        window.commands.inside.trigger()
    view = window.inside
    for arch, layers, size in (("cnn", 9, (980, 960)), ("mlp", 4, (980, 440))):
        path = models.default_model("torch", arch)
        window.select_model(path)
        wait(app, lambda p=path, n=layers: window.model_path == p and len(view.outputs) == n)
        view.filters.setChecked(arch == "cnn")
        if arch == "cnn":
            first = view.outputs[0].array
            view.pick(0, int(first.reshape(-1, first.shape[2]).max(axis=0).argmax()))
        view.resize(*size)
        app.processEvents()
        view.grab().save(str(OUT / f"inside-{arch}.png"))
    window.commands.inside.trigger()


def compare_models(app: QApplication, window) -> None:
    """View > Compare models: the bundled PyTorch and Keras CNNs reading one pen digit of a
    .tes writer no model saw (test digit 723, a 4, which the two read differently)."""
    from digitpad import models, pendigits
    from digitpad.ui import settings
    from tests.gui import replay_pen_digit

    pair = [models.default_model("torch"), models.default_model("keras")]
    settings.put("compare/models", "\n".join(map(str, pair)))
    window.resize(960, 700)
    window.select_model(pair[0])
    wait(app, lambda: window.model_path == pair[0])
    window.canvas.clear()
    view = window.open_compare()
    wait(app, lambda: all(c.predictor for c in view.columns))
    tes = ROOT.parent / "shared" / "pendigits" / "pendigits-orig.tes.gz"
    replay_pen_digit(window.canvas, pendigits.read(tes)[COMPARED_DIGIT].strokes)
    window.predict_drawing()
    app.processEvents()
    view.grab().save(str(OUT / "compare.png"))
    view.close()


COMPARED_DIGIT = 723
SECTIONS = {"compare": compare_models, "runs": training_runs}

if __name__ == "__main__":
    main(sys.argv[1:])
