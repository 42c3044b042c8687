"""The main window, driven with real mouse events, real models and real files. pytest-qt fails
any test in which an exception escapes a Qt slot or event handler."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from digitpad import models
from digitpad.ui.main_window import MainWindow
from tests.drawing import redraw
from tests.gui import line, trace_digit

LOAD_MS = 90_000


def open_window(qtbot, size: tuple[int, int] | None = (900, 640)) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    if size:
        window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.predictor is not None, timeout=LOAD_MS)
    return window


@pytest.fixture
def window(qtbot):
    return open_window(qtbot)


def shown_digit(window) -> str:
    return window.predictionLabel.text()


def draw_and_wait(qtbot, window, stroke):
    with qtbot.waitSignal(window.predicted, timeout=5000):
        stroke()
    return shown_digit(window)


def test_blank_canvas_shows_a_hint_not_a_guess(window):
    window.predict_drawing()
    assert shown_digit(window) == ""
    assert "Draw a digit" in window.confidenceLabel.text()
    assert window.probabilityBars.probabilities() is None
    assert window.previewImage.pixels() is None


def test_vertical_stroke_reads_as_one(qtbot, window):
    canvas = window.canvas
    assert draw_and_wait(qtbot, window, lambda: line(canvas, (0.5, 0.15), (0.5, 0.85))) == "1"
    probs = window.probabilityBars.probabilities()
    assert probs.argmax() == 1 and abs(probs.sum() - 1) < 1e-4
    assert window.confidenceLabel.text().endswith("confident")
    assert window.previewImage.pixels().shape == (28, 28)
    assert window.last_latency_ms is not None


def test_predictions_update_while_drawing(qtbot, window):
    """Moves with the button held, before any release, already give a prediction."""
    canvas = window.canvas
    left = Qt.MouseButton.LeftButton

    def send(kind, y, button, buttons):
        pos = QPointF(canvas.width() / 2, canvas.height() * y)
        QApplication.sendEvent(
            canvas,
            QMouseEvent(
                kind, pos, canvas.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier
            ),
        )

    send(QEvent.Type.MouseButtonPress, 0.15, left, left)
    with qtbot.waitSignal(window.predicted, timeout=5000):
        for y in np.linspace(0.15, 0.85, 20):
            send(QEvent.Type.MouseMove, y, Qt.MouseButton.NoButton, left)
    assert shown_digit(window) == "1"
    send(QEvent.Type.MouseButtonRelease, 0.85, left, Qt.MouseButton.NoButton)


def test_traced_mnist_digits_read_as_their_labels(qtbot, window, mnist):
    # One test digit of each class.
    picks = [int(np.flatnonzero(mnist.test_y == d)[0]) for d in range(10)]
    right = 0
    for i in picks:
        window.canvas.clear()
        trace_digit(window.canvas, mnist.test_x[i])
        qtbot.wait(20)
        window.predict_drawing()
        right += shown_digit(window) == str(mnist.test_y[i])
    assert right >= 9


def test_undo_redo_and_clear(qtbot, window):
    canvas = window.canvas
    draw_and_wait(qtbot, window, lambda: line(canvas, (0.5, 0.15), (0.5, 0.85)))
    draw_and_wait(qtbot, window, lambda: line(canvas, (0.3, 0.2), (0.7, 0.2)))
    with_bar = canvas.ink().sum()
    canvas.undo()
    assert shown_digit(window) == "1"
    assert canvas.ink().sum() < with_bar
    assert window.commands.redo.isEnabled()
    canvas.redo()
    assert canvas.ink().sum() == pytest.approx(with_bar)
    window.commands.clear.trigger()
    assert canvas.is_blank() and canvas.ink().max() == 0
    assert not re.search(r"\d", shown_digit(window))
    window.commands.undo.trigger()  # a clear can be undone too
    assert canvas.ink().sum() == pytest.approx(with_bar)


def test_undo_keeps_its_label_and_names_the_step_in_its_tip(qtbot, window, tmp_path):
    """The toolbar never shifts: "Undo" stays "Undo"; what it undoes is in the tip."""
    from PySide6.QtWidgets import QToolBar

    canvas, undo, redo = window.canvas, window.commands.undo, window.commands.redo
    tools = window.findChild(QToolBar, "drawingToolBar")
    pen = tools.findChild(QWidget, "penWidth")
    assert not undo.isEnabled() and undo.toolTip().startswith("Nothing to undo")
    where = pen.x()
    draw_and_wait(qtbot, window, lambda: line(canvas, (0.5, 0.15), (0.5, 0.85)))
    assert undo.text() == "&Undo" and undo.isEnabled()
    assert undo.toolTip().startswith("Undo stroke") and undo.statusTip() == undo.toolTip()
    line(canvas, (0.5, 0.1), (0.5, 0.9), button=Qt.MouseButton.RightButton)
    assert undo.toolTip().startswith("Undo erase")
    window.commands.clear.trigger()
    assert undo.toolTip().startswith("Undo clear") and undo.text() == "&Undo"
    window.grab().save(str(tmp_path / "undo.png"))
    undo.trigger()
    assert redo.text() == "&Redo" and redo.toolTip().startswith("Redo clear")
    assert tools.widgetForAction(undo).text() == "Undo"
    assert pen.x() == where


def test_eraser_removes_ink(qtbot, window):
    canvas = window.canvas
    draw_and_wait(qtbot, window, lambda: line(canvas, (0.5, 0.15), (0.5, 0.85)))
    line(canvas, (0.5, 0.1), (0.5, 0.9), steps=30, button=Qt.MouseButton.RightButton)
    assert canvas.ink().max() < 0.05
    assert not re.search(r"\d", shown_digit(window))


def test_switching_backend_repredicts(qtbot, window):
    canvas = window.canvas
    draw_and_wait(qtbot, window, lambda: line(canvas, (0.5, 0.15), (0.5, 0.85)))
    torch_probs = window.probabilityBars.probabilities()
    index = window.modelSelector.findData(str(models.default_model("keras")))
    assert index >= 0
    with qtbot.waitSignal(window.modelChanged, timeout=LOAD_MS):
        window.modelSelector.setCurrentIndex(index)
        window.modelSelector.activated.emit(index)
    assert window.predictor.backend == "keras"
    assert "Keras" in window.status.model.text()
    assert window.panel.readBy.text() == "read by Keras CNN"
    assert shown_digit(window) == "1"
    assert not np.array_equal(window.probabilityBars.probabilities(), torch_probs)


def test_selector_lists_all_bundled_models(window):
    listed = {window.modelSelector.itemData(i) for i in range(window.modelSelector.count())}
    for backend in ("torch", "keras"):
        for arch in ("cnn", "mlp"):
            assert str(models.default_model(backend, arch)) in listed
    assert len(window.commands.choose_menu.actions()) == window.modelSelector.count()


def test_corrupt_model_is_reported_and_the_app_stays_usable(qtbot, window, tmp_path):
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"this is not a model" * 20)
    status = window.panel.modelStatus
    height = status.height()
    with qtbot.waitSignal(window.modelChanged, timeout=LOAD_MS):
        window.select_model(bad)
    assert "broken.pt" in status.text() and "not a PyTorch model file" in status.text()
    assert status.height() == height  # the message has its place: nothing moves
    assert window.modelSelector.currentData() == str(window.model_path)
    assert window.predictor is not None and window.predictor.path != bad
    assert (
        draw_and_wait(qtbot, window, lambda: line(window.canvas, (0.5, 0.15), (0.5, 0.85))) == "1"
    )


def test_opening_an_image_file_classifies_it(qtbot, window, tmp_path, mnist):
    path = tmp_path / "three.png"
    index = int(np.flatnonzero(mnist.test_y == 3)[0])
    Image.fromarray(redraw(mnist.test_x[index], 220, canvas=300)).save(path)
    assert window.open_image(path)
    assert shown_digit(window) == "3"
    assert not window.canvas.is_blank()
    window.canvas.undo()
    assert window.canvas.is_blank()


def test_unreadable_image_is_reported(window, tmp_path):
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"nope")
    assert not window.open_image(bad)
    assert "photo.png" in window.statusBar().currentMessage()


def test_dropping_an_image_file_classifies_it(qtbot, window, tmp_path, mnist):
    path = tmp_path / "dropped.png"
    index = int(np.flatnonzero(mnist.test_y == 4)[0])
    Image.fromarray(mnist.test_x[index]).resize((140, 140)).save(path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    assert shown_digit(window) == "4"


def test_saved_drawing_reads_the_same(qtbot, window, tmp_path):
    from digitpad.images import read_image
    from digitpad.preprocess import to_mnist

    draw_and_wait(qtbot, window, lambda: line(window.canvas, (0.5, 0.15), (0.5, 0.85)))
    path = tmp_path / "mine.png"
    assert window.save_drawing(path)
    saved = to_mnist(read_image(path))
    assert window.predictor.predict(saved[None])[0].argmax() == 1


def test_settings_come_back_after_a_restart(qtbot):
    first = open_window(qtbot)
    first.set_pen_width(31)
    first.resize(780, 650)
    mlp = models.default_model("torch", "mlp")
    with qtbot.waitSignal(first.modelChanged, timeout=LOAD_MS):
        first.select_model(mlp)
    first.close()
    second = open_window(qtbot, size=None)
    assert second.canvas.pen_width == 31 and second.commands.pen.value() == 31
    assert (second.width(), second.height()) == (780, 650)
    qtbot.waitUntil(lambda: second.model_path == mlp, timeout=LOAD_MS)
    assert second.modelSelector.currentData() == str(mlp)


def test_going_back_while_a_model_loads_keeps_the_model_chosen_last(qtbot, window):
    """The bundled CNN is cached; the Keras one is slow to load. Asking for Keras and then,
    before it is ready, for the CNN again must end on the CNN, not on the late Keras load."""
    cnn = window.model_path
    window.select_model(models.default_model("keras"))
    assert window.panel.modelStatus.text().startswith("Loading")
    window.select_model(cnn)
    qtbot.waitUntil(lambda: not window.loads.running(), timeout=LOAD_MS)
    QApplication.processEvents()  # the late Keras result, delivered after its worker ended
    assert window.model_path == cnn and window.predictor.backend == "torch"
    assert window.modelSelector.currentData() == str(cnn)
    assert window.panel.modelStatus.text() == ""
