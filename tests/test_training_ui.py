"""Retraining and evaluation from the window, for real, on small MNIST slices."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from digitpad import export, models
from tests.gui import line
from tests.test_window import LOAD_MS, open_window

TRAIN_MS = 180_000


def small_panel(qtbot, window, backend: str, epochs: int = 1, n_train: int = 300):
    panel = window.open_training()
    panel.limit = (n_train, 300)
    form = panel.form
    form.backend.setCurrentIndex(form.backend.findData(backend))
    form.arch.setCurrentIndex(form.arch.findData("mlp"))
    form.epochs.setValue(epochs)
    form.batch.setValue(32)
    qtbot.waitUntil(lambda: form.device.isEnabled(), timeout=LOAD_MS)
    return panel


def batches_seen(panel) -> int:
    return panel.view.loss_chart.series[0].count()


@pytest.mark.parametrize("backend", ["torch", "keras"])
def test_training_from_the_panel_saves_and_switches_to_the_new_model(qtbot, backend, private_home):
    window = open_window(qtbot)
    # The new model takes over only if it scores better than the active one: make sure it does.
    window.session.predictor.card.test_accuracy = 0.0
    panel = small_panel(qtbot, window, backend)
    assert panel.form.device.itemData(0) == "cpu"
    panel.form.tensorboard.setChecked(True)
    # What the GUI thread handled while the worker trained: its progress, drawn as it came.
    handled_while_training = []
    panel.controller.progressed.connect(lambda _: handled_while_training.append(panel.is_running()))
    with qtbot.waitSignal(window.modelChanged, timeout=TRAIN_MS):
        assert panel.start()
        qtbot.waitUntil(lambda: not panel.is_running(), timeout=TRAIN_MS)
    assert handled_while_training and all(handled_while_training)
    path = Path(panel.last_model_path)
    assert path.parent == private_home / "models" and path.is_file()
    card = json.loads(models.card_path(path).read_text())
    assert card["backend"] == backend and card["train_size"] == 270 and card["epochs"] == 1
    assert panel.view.table.rowCount() == 1
    assert "is now in use" in panel.view.message.text()
    # Live predictions now come from the new model.
    assert window.model_path == path and window.predictor.path == path
    with qtbot.waitSignal(window.predicted, timeout=5000):
        line(window.canvas, (0.5, 0.15), (0.5, 0.85))
    expected = window.predictor.predict(window.previewImage.pixels()[None])[0]
    np.testing.assert_allclose(window.probabilityBars.probabilities(), expected, rtol=1e-5)
    assert window.modelSelector.findData(str(path)) >= 0
    # Named as itself, not "PyTorch MLP" like the bundled one: in the status bar and About.
    title = window.predictor.card.title
    assert " MLP · retrained 20" in title and card["name"] == title
    assert window.status.model.text().startswith(title) and title in window.about_text()
    assert not list(path.parent.glob("*.partial*"))
    (run,) = list((private_home / "tensorboard").iterdir())  # the run, logged for TensorBoard
    assert run.name.endswith(f"_{backend}_mlp") and list(run.glob("events.out.tfevents.*"))


def test_a_worse_new_model_is_offered_not_imposed(qtbot, private_home):
    window = open_window(qtbot)
    before = window.model_path
    panel = small_panel(qtbot, window, "torch")
    panel.start()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=TRAIN_MS)
    assert window.model_path == before  # 300 images cannot beat the bundled CNN's 99%
    assert "stays in use" in panel.view.message.text()
    assert panel.useButton.isVisible()
    with qtbot.waitSignal(window.modelChanged, timeout=LOAD_MS):
        panel.useButton.click()
    assert window.model_path == Path(panel.last_model_path)


def test_cancel_keeps_the_old_model_and_saves_nothing(qtbot, private_home):
    window = open_window(qtbot)
    before = window.model_path
    panel = small_panel(qtbot, window, "torch", epochs=50, n_train=2000)
    panel.start()
    qtbot.waitUntil(lambda: batches_seen(panel) > 0, timeout=TRAIN_MS)
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=30_000)
    assert "cancelled" in panel.view.message.text().lower()
    assert window.model_path == before
    user = private_home / "models"
    assert not user.exists() or not any(user.iterdir())


def test_invalid_settings_are_refused_with_a_message(qtbot):
    window = open_window(qtbot)
    panel = small_panel(qtbot, window, "torch")
    panel.form.data.setCurrentIndex(panel.form.data.findData("folder"))
    panel.form.folder = ""
    assert not panel.start()
    assert "folder" in panel.view.message.text()


def test_missing_data_folder_is_reported(qtbot, tmp_path):
    window = open_window(qtbot)
    panel = small_panel(qtbot, window, "torch")
    panel.form.data.setCurrentIndex(panel.form.data.findData("folder"))
    panel.form.folder = str(tmp_path / "nothing-here")
    panel.start()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=TRAIN_MS)
    assert "no such data folder" in panel.view.message.text()
    assert "unchanged" in panel.view.message.text()


def test_closing_the_panel_keeps_training_and_the_status_bar_shows_it(qtbot):
    window = open_window(qtbot)
    panel = small_panel(qtbot, window, "torch", epochs=50, n_train=2000)
    panel.start()
    qtbot.waitUntil(lambda: batches_seen(panel) > 0, timeout=TRAIN_MS)
    panel.close()
    indicator = window.status.training
    qtbot.waitUntil(lambda: indicator.isVisible() and "%" in indicator.text(), timeout=10_000)
    indicator.click()
    assert panel.isVisible() and panel.is_running()
    panel.cancel()
    qtbot.waitUntil(lambda: not indicator.isVisible(), timeout=30_000)


def test_closing_the_window_mid_training_stops_the_worker_without_blocking(qtbot, monkeypatch):
    window = open_window(qtbot)
    panel = small_panel(qtbot, window, "torch", epochs=50, n_train=2000)
    panel.start()
    qtbot.waitUntil(lambda: batches_seen(panel) > 0, timeout=TRAIN_MS)
    worker = window.training.worker
    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(1) or QMessageBox.StandardButton.Yes
    )
    window.close()  # returns at once: the worker is asked to stop, the window hides
    assert asked and not window.isVisible()
    qtbot.waitUntil(worker.is_done, timeout=30_000)
    qtbot.waitUntil(lambda: not window.tasks.running(), timeout=30_000)


def test_closing_can_be_declined_while_training(qtbot, monkeypatch):
    window = open_window(qtbot)
    panel = small_panel(qtbot, window, "torch", epochs=50, n_train=2000)
    panel.start()
    qtbot.waitUntil(lambda: panel.is_running(), timeout=TRAIN_MS)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert not window.close()
    assert window.isVisible() and panel.is_running()
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=30_000)


def test_evaluation_shows_accuracy_and_a_consistent_confusion_matrix(qtbot, mnist):
    window = open_window(qtbot)
    from digitpad.ui.evaluation import EvaluationDialog

    dialog = EvaluationDialog(window.session, window.tasks, window)
    dialog.limit = 500
    window._dialogs["evaluation"] = dialog
    window.open_evaluation()
    assert not dialog.again.isEnabled()  # clickable only once the evaluation has ended
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=LOAD_MS)
    qtbot.waitUntil(dialog.again.isEnabled, timeout=LOAD_MS)
    labels = mnist.test_y[:500]
    confusion = dialog.confusion.matrix()
    np.testing.assert_array_equal(confusion.sum(axis=1), np.bincount(labels, minlength=10))
    probs = window.predictor.predict(mnist.test_x[:500].astype(np.float32) / 255)
    expected = (probs.argmax(1) == labels).mean()
    assert dialog.result.accuracy == pytest.approx(expected)
    assert f"{expected:.2%}" in dialog.accuracy.text()
    assert dialog.gallery.count() == 500 - np.trace(confusion)
    first = dialog.result
    window.open_evaluation()  # the same model again: remembered, not recomputed
    assert dialog.result is first
    dialog.again.click()
    assert not dialog.again.isEnabled() and dialog.result is None
    qtbot.waitUntil(dialog.again.isEnabled, timeout=LOAD_MS)
    assert dialog.result.accuracy == pytest.approx(expected)


def test_model_manager_protects_bundled_models_and_manages_user_ones(qtbot, private_home, tmp_path):
    import shutil

    from digitpad.ui import model_manager

    user = models.models_dir()
    user.mkdir(parents=True)
    mine = user / "mine.pt"
    source = models.default_model("torch", "mlp")
    shutil.copy(source, mine)
    shutil.copy(models.card_path(source), models.card_path(mine))
    with pytest.raises(models.ModelFileError, match="bundled"):
        model_manager.delete(models.default_model("torch"))
    with pytest.raises(models.ModelFileError, match="bundled"):
        model_manager.rename(models.default_model("torch"), "mine now")
    model_manager.rename(mine, "My favourite")
    assert models.read_card(mine).name == "My favourite"
    exported = export.copy_model(mine, tmp_path)
    assert exported.is_file() and models.card_path(exported).is_file()
    window = open_window(qtbot)
    manager = window.open_model_manager()
    names = [manager.table.item(r, 0).text() for r in range(manager.table.rowCount())]
    bundled = [path for path, card in models.list_models() if card.bundled]
    assert "My favourite" in names and sum("bundled" in n for n in names) == len(bundled)
    model_manager.delete(mine)
    assert not mine.exists() and not models.card_path(mine).exists()
    QApplication.processEvents()
