"""Teach mode in the real window: digit keys, Enter and clicks on the bars keep samples; Your
samples shows them; Personalise makes a personal model active that reads the taught writer
better. And real pen drawings of unseen writers replayed as mouse drags are read live."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from digitpad import models, pendigits, samples
from tests.gui import answer_modal, line, replay_pen_digit
from tests.test_pendigits import TES
from tests.test_window import LOAD_MS, open_window


@pytest.fixture(scope="module")
def unseen():
    return pendigits.read(TES)


def test_digit_keys_enter_and_bar_clicks_keep_samples(qtbot):
    window = open_window(qtbot)
    qtbot.keyClick(window, Qt.Key.Key_7)
    assert "Draw a digit first" in window.statusBar().currentMessage()
    assert len(samples.load()) == 0

    line(window.canvas, (0.5, 0.15), (0.5, 0.85))
    qtbot.waitUntil(lambda: window.probabilityBars.probabilities() is not None)
    qtbot.keyClick(window, Qt.Key.Key_7)
    found = samples.load()
    assert found.labels.tolist() == [7]
    assert window.canvas.is_blank(), "the canvas is cleared for the next digit"
    assert "Kept as a 7" in window.statusBar().currentMessage()

    line(window.canvas, (0.5, 0.15), (0.5, 0.85))
    qtbot.waitUntil(lambda: window.probabilityBars.probabilities() is not None)
    read = int(window.probabilityBars.probabilities().argmax())
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert sorted(samples.load().labels.tolist()) == sorted([7, read])

    line(window.canvas, (0.5, 0.15), (0.5, 0.85))
    qtbot.waitUntil(lambda: window.probabilityBars.probabilities() is not None)
    bars = window.probabilityBars
    qtbot.mouseClick(
        bars,
        Qt.MouseButton.LeftButton,
        pos=QPointF(bars.width() / 2, bars.height() * 4.5 / 10).toPoint(),
    )
    assert sorted(samples.load().labels.tolist()) == sorted([7, read, 4])

    window.commands.forget.trigger()
    assert sorted(samples.load().labels.tolist()) == sorted([7, read])
    window.commands.undo.trigger()  # the clear after teaching is undoable like any clear
    assert not window.canvas.is_blank()


def test_teach_samples_personalise_and_the_personal_model_reads_better(qtbot, unseen, tmp_path):
    """Teach one unseen writer's digits (3 of each) by replaying them into the canvas and
    pressing the right key; personalise the bundled PyTorch MLP from Your samples; the personal
    model becomes active and reads that writer's other digits at least as well."""
    window = open_window(qtbot)
    mlp = models.default_model("torch", "mlp")
    window.select_model(mlp)
    qtbot.waitUntil(lambda: window.model_path == mlp, timeout=LOAD_MS)
    writer = [d for d in unseen if d.writer == unseen[0].writer]
    taught = [d for digit in range(10) for d in [x for x in writer if x.label == digit][:3]]
    for digit in taught:
        replay_pen_digit(window.canvas, digit.strokes)
        qtbot.waitUntil(lambda: window.probabilityBars.probabilities() is not None)
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{digit.label}"))
    assert sorted(samples.load().labels.tolist()) == sorted(d.label for d in taught)

    dialog = window.open_samples()
    assert dialog.gallery.count() == 30
    dialog.digit.setCurrentIndex(dialog.digit.findData(3))
    assert dialog.gallery.count() == 3
    assert dialog.personaliseButton.isEnabled()
    dialog.personaliseButton.click()
    shown: list[str] = []  # the bar's text as each progress report drew it
    dialog._worker.progress.connect(lambda _: shown.append(dialog.progress.text()))
    dialog._worker.progress.connect(lambda _: dialog.grab().save(str(tmp_path / "running.png")))
    qtbot.waitUntil(
        lambda: window.model_path is not None and window.model_path != mlp, timeout=120_000
    )
    assert window.predictor.card.name == "PyTorch MLP · personal"
    assert window.predictor.card.base == mlp.name
    assert "is now active" in dialog.result.text()
    assert shown and all("%" in t for t in shown) and any(t.endswith(" left") for t in shown)

    # A second Personalise offers the model the personal one came from, not a fine-tune of it.
    first, asked = window.model_path, []

    def from_base(box) -> None:
        box.grab().save(str(tmp_path / "second.png"))
        next(b for b in box.buttons() if b.text().startswith("From ")).click()

    answer_modal(from_base, asked)
    dialog.personaliseButton.click()
    assert "already personalised, from PyTorch MLP" in asked[0].text()
    assert dialog.result.text() == f"Personalising PyTorch MLP on {len(taught)} samples…"
    qtbot.waitUntil(lambda: window.model_path not in (first, mlp), timeout=120_000)
    assert window.predictor.card.name == "PyTorch MLP · personal"
    assert window.predictor.card.base == mlp.name

    rest = [d for d in writer if all(d is not t for t in taught)]
    images = pendigits.mnist_images(rest, (18.0,), 160)
    x, y = images.images.astype(np.float32) / 255, images.labels
    personal = (window.predictor.predict(x).argmax(1) == y).mean()
    window.select_model(mlp)
    qtbot.waitUntil(lambda: window.model_path == mlp, timeout=LOAD_MS)
    base = (window.predictor.predict(x).argmax(1) == y).mean()
    assert personal >= base, f"personal {personal:.1%} < base {base:.1%}"


@pytest.mark.parametrize("backend", ["torch", "keras"])
def test_unseen_writers_pen_drawings_replayed_into_the_window_are_read(qtbot, unseen, backend):
    """195 digits of 13 writers the models never saw (every 17th of the test file), drawn
    into the canvas as mouse drags at the window's default pen; the live reading after the last
    stroke must be right for at least 98% of them."""
    window = open_window(qtbot)
    cnn = models.default_model(backend)
    window.select_model(cnn)
    qtbot.waitUntil(lambda: window.model_path == cnn, timeout=LOAD_MS)
    chosen = [d for d in unseen if d.writer != unseen[0].writer]
    wrong = []
    for digit in chosen:
        window.canvas.clear()
        replay_pen_digit(window.canvas, digit.strokes)
        qtbot.waitUntil(lambda: window.probabilityBars.probabilities() is not None)
        read = int(window.probabilityBars.probabilities().argmax())
        if read != digit.label:
            wrong.append((digit.label, read))
    accuracy = 1 - len(wrong) / len(chosen)
    assert accuracy >= 0.98, f"{accuracy:.1%} read right; (true, read): {wrong}"
