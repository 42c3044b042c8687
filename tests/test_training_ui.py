"""Retraining and evaluation from the window, for real, on small MNIST slices."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from digitpad import models
from tests.gui import line
from tests.test_window import LOAD_MS, open_window

TRAIN_MS = 180_000


def small_panel(qtbot, window, backend: str, epochs: int = 1, n_train: int = 300):
    window.open_training()
    panel = window._training_panel
    panel.limit = (n_train, 300)
    panel.backend.setCurrentIndex(panel.backend.findData(backend))
    panel.arch.setCurrentIndex(panel.arch.findData("mlp"))
    panel.epochs.setValue(epochs)
    panel.batch.setValue(32)
    qtbot.waitUntil(lambda: panel.device.isEnabled(), timeout=LOAD_MS)
    return panel


@pytest.mark.parametrize("backend", ["torch", "keras"])
def test_training_from_the_panel_saves_and_switches_to_the_new_model(qtbot, backend,
                                                                       private_home):
    window = open_window(qtbot)
    panel = small_panel(qtbot, window, backend)
    assert [panel.device.itemData(i) for i in range(panel.device.count())][0] == "cpu"
    with qtbot.waitSignal(window.modelChanged, timeout=TRAIN_MS):
        assert panel.start()
        ticks = []
        timer = QTimer(interval=10)
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start()
        qtbot.waitUntil(lambda: not panel.is_running(), timeout=TRAIN_MS)
        timer.stop()
    # The GUI thread kept running its timer while the worker trained.
    assert len(ticks) >= 5
    path = Path(panel.last_model_path)
    assert path.parent == private_home / "models" and path.is_file()
    card = json.loads(models.card_path(path).read_text())
    assert card["backend"] == backend and card["train_size"] == 270 and card["epochs"] == 1
    assert panel.table.rowCount() == 1
    assert "Test accuracy" in panel.message.text()
    # Live predictions now come from the new model.
    assert window.model_path == path and window.predictor.path == path
    with qtbot.waitSignal(window.predicted, timeout=5000):
        line(window.canvas, (0.5, 0.15), (0.5, 0.85))
    expected = window.predictor.predict(window.previewImage.pixels()[None])[0]
    np.testing.assert_allclose(window.probabilityBars.probabilities(), expected, rtol=1e-5)
    assert window.modelSelector.findData(str(path)) >= 0
    assert not list(path.parent.glob("*.partial*"))


def test_cancel_keeps_the_old_model_and_saves_nothing(qtbot, private_home):
    window = open_window(qtbot)
    before = window.model_path
    panel = small_panel(qtbot, window, "torch", epochs=50, n_train=2000)
    panel.start()
    qtbot.waitUntil(lambda: panel.loss_series.count() > 0, timeout=TRAIN_MS)
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=30_000)
    assert "cancelled" in panel.message.text().lower()
    assert window.model_path == before
    user = private_home / "models"
    assert not user.exists() or not any(user.iterdir())


def test_invalid_settings_are_refused_with_a_message(qtbot):
    window = open_window(qtbot)
    panel = small_panel(qtbot, window, "torch")
    panel.data.setCurrentIndex(panel.data.findData("folder"))
    panel.folder = ""
    assert not panel.start()
    assert "folder" in panel.message.text()


def test_missing_data_folder_is_reported(qtbot, tmp_path):
    window = open_window(qtbot)
    panel = small_panel(qtbot, window, "torch")
    panel.data.setCurrentIndex(panel.data.findData("folder"))
    panel.folder = str(tmp_path / "nothing-here")
    panel.start()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=TRAIN_MS)
    assert "no such data folder" in panel.message.text()
    assert "unchanged" in panel.message.text()


def test_closing_the_window_mid_training_stops_the_thread(qtbot, monkeypatch):
    window = open_window(qtbot)
    panel = small_panel(qtbot, window, "torch", epochs=50, n_train=2000)
    panel.start()
    qtbot.waitUntil(lambda: panel.loss_series.count() > 0, timeout=TRAIN_MS)
    thread: QThread = panel.run.thread
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(1) or QMessageBox.StandardButton.Yes)
    assert window.close()
    assert asked and thread.isFinished() and not thread.isRunning()


def test_closing_can_be_declined_while_training(qtbot, monkeypatch):
    window = open_window(qtbot)
    panel = small_panel(qtbot, window, "torch", epochs=50, n_train=2000)
    panel.start()
    qtbot.waitUntil(lambda: panel.is_running(), timeout=TRAIN_MS)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert not window.close()
    assert window.isVisible() and panel.is_running()
    panel.run.stop()


def test_evaluation_shows_accuracy_and_a_consistent_confusion_matrix(qtbot, mnist):
    window = open_window(qtbot)
    window._evaluation = None
    from digitpad.ui.evaluation import EvaluationDialog

    dialog = EvaluationDialog(window)
    window._evaluation = dialog
    dialog.limit = 500
    qtbot.addWidget(dialog)
    window.open_evaluation()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=LOAD_MS)
    labels = mnist.test_y[:500]
    confusion = dialog.confusion.matrix()
    np.testing.assert_array_equal(confusion.sum(axis=1), np.bincount(labels, minlength=10))
    probs = window.predictor.predict(mnist.test_x[:500].astype(np.float32) / 255)
    expected = (probs.argmax(1) == labels).mean()
    assert dialog.result.accuracy == pytest.approx(expected)
    assert f"{expected:.2%}" in dialog.accuracy.text()
    assert dialog.gallery.count() == 500 - np.trace(confusion)


def test_model_manager_protects_bundled_models_and_manages_user_ones(qtbot, private_home,
                                                                       tmp_path):
    import shutil

    from digitpad.ui import model_manager

    user = models.user_dir()
    user.mkdir(parents=True)
    mine = user / "mine.pt"
    source = models.default_model("torch", "mlp")
    shutil.copy(source, mine)
    shutil.copy(models.card_path(source), models.card_path(mine))
    with pytest.raises(models.ModelFileError, match="bundled"):
        model_manager.delete(models.default_model("torch"))
    model_manager.rename(mine, "My favourite")
    assert models.read_card(mine).name == "My favourite"
    exported = model_manager.export(mine, tmp_path)
    assert exported.is_file() and models.card_path(exported).is_file()
    window = open_window(qtbot)
    manager = model_manager.ModelManager(window)
    qtbot.addWidget(manager)
    names = [manager.table.item(r, 0).text() for r in range(manager.table.rowCount())]
    assert "My favourite" in names and sum("(bundled)" in n for n in names) == 4
    model_manager.delete(mine)
    assert not mine.exists() and not models.card_path(mine).exists()
    QApplication.processEvents()
