"""Manage models in the real window: sized to its rows, the model in use marked, rename in a
proper dialog that keeps the selection, and deleting the model in use said before it is done."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from digitpad import models
from tests.gui import answer_modal
from tests.test_window import LOAD_MS, open_window

LONG_NAME = "My own careful CNN, personalised on my handwriting after the holidays"


def user_model(name: str) -> Path:
    """A copy of a bundled model in the user's folder, as a training would leave it."""
    folder = models.models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.pt"
    source = models.default_model("torch", "mlp")
    shutil.copy(source, path)
    shutil.copy(models.card_path(source), models.card_path(path))
    return path


def row_of(manager, path: Path) -> int:
    return [p for p, _ in manager.entries].index(path)


def test_manager_opens_showing_every_row_and_column_and_marks_the_model_in_use(qtbot, tmp_path):
    mine = user_model("mine")
    window = open_window(qtbot)
    manager = window.open_model_manager()
    qtbot.waitExposed(manager)
    table = manager.table
    assert table.rowCount() == len(models.list_models()) >= 3
    assert table.horizontalScrollBar().maximum() == 0
    assert table.verticalScrollBar().maximum() == 0
    active = row_of(manager, window.model_path)
    assert table.item(active, 0).text().endswith("(bundled, in use)")
    assert table.item(active, 0).font().bold()
    assert not table.item(row_of(manager, mine), 0).font().bold()
    manager.grab().save(str(tmp_path / "manager.png"))

    table.selectRow(row_of(manager, mine))  # Use: the mark follows
    with qtbot.waitSignal(window.modelChanged, timeout=LOAD_MS):
        manager.useButton.click()
    assert table.item(row_of(manager, mine), 0).text() == "PyTorch MLP (in use)"
    assert table.item(row_of(manager, mine), 0).font().bold()
    assert not table.item(active, 0).font().bold()


def test_rename_is_a_wide_dialog_and_keeps_the_selection(qtbot, tmp_path):
    from digitpad.ui.model_manager import rename

    mine = user_model("mine")
    rename(mine, LONG_NAME)
    window = open_window(qtbot)
    manager = window.open_model_manager()
    manager.table.selectRow(row_of(manager, mine))
    seen: list = []

    def type_name(dialog) -> None:
        dialog.grab().save(str(tmp_path / "rename.png"))
        dialog.edit.setText("  Sunday model ")
        dialog.accept()

    answer_modal(type_name, seen)
    manager.renameButton.click()
    dialog = seen[0]
    assert dialog.windowTitle() == "Rename model" and dialog.width() >= 420
    assert dialog.edit.width() > dialog.edit.fontMetrics().horizontalAdvance(LONG_NAME)
    assert models.read_card(mine).name == "Sunday model"
    assert manager.selected()[0] == mine
    assert manager.table.item(row_of(manager, mine), 0).text() == "Sunday model"
    assert manager.renameButton.isEnabled()
    assert manager.status.text() == "Renamed to Sunday model"


def test_deleting_the_model_in_use_warns_by_name_and_switches_visibly(qtbot):
    mine = user_model("mine")
    from digitpad.ui.model_manager import rename

    rename(mine, "Sunday model")
    window = open_window(qtbot)
    with qtbot.waitSignal(window.modelChanged, timeout=LOAD_MS):
        window.select_model(mine)
    manager = window.open_model_manager()
    manager.table.selectRow(row_of(manager, mine))
    questions: list = []
    answer_modal(lambda box: box.button(QMessageBox.StandardButton.No).click(), questions)
    manager.deleteButton.click()
    text = questions[0].text()
    assert "“Sunday model”" in text and "mine.pt" not in text
    assert "in use" in text and "PyTorch CNN will read the drawing instead" in text
    assert mine.exists() and window.model_path == mine  # No: nothing happens

    answer_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    with qtbot.waitSignal(window.modelChanged, timeout=LOAD_MS):
        manager.deleteButton.click()
    assert not mine.exists()
    assert window.model_path == models.default_model("torch")
    said = "Deleted Sunday model; now using PyTorch CNN"
    assert manager.status.text() == said
    assert window.statusBar().currentMessage() == said
    assert window.modelSelector.findData(str(mine)) < 0
    QApplication.processEvents()


def test_deleting_a_model_not_in_use_asks_by_its_name(qtbot):
    mine = user_model("spare")
    window = open_window(qtbot)
    manager = window.open_model_manager()
    manager.table.selectRow(row_of(manager, mine))
    questions: list = []
    answer_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click(), questions)
    manager.deleteButton.click()
    assert questions[0].text() == "Delete the model “PyTorch MLP”?"
    assert "spare.pt" in questions[0].informativeText()
    assert not mine.exists() and window.model_path == models.default_model("torch")
    assert manager.status.text() == "Deleted PyTorch MLP"
