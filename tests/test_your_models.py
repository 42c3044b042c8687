"""A user's own models named as theirs in the real window: the status bar, Evaluate and About
say the model's own title, and the selector shortens a long one in the middle, whole in its
tooltip."""

from __future__ import annotations

from digitpad.ui.evaluation import EvaluationDialog
from digitpad.ui.model_manager import rename
from tests.test_model_manager import user_model
from tests.test_window import LOAD_MS, open_window

NAME = "PyTorch MLP · retrained 2026-12-01 22:11 · personal"


def test_a_personal_model_is_named_as_itself_everywhere(qtbot, tmp_path):
    mine = user_model("mine")
    rename(mine, NAME)
    window = open_window(qtbot)
    with qtbot.waitSignal(window.modelChanged, timeout=LOAD_MS):
        window.select_model(mine)
    assert window.status.model.text() == f"{NAME}  ·  CPU"
    assert NAME in window.about_text()
    dialog = EvaluationDialog(window.session, window.tasks, window)
    dialog.limit = 200
    window._dialogs["evaluation"] = dialog
    window.open_evaluation()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=LOAD_MS)
    assert dialog.accuracy.text().startswith(f"{NAME}: ")

    selector = window.modelSelector
    label = selector.currentText()
    assert label.startswith(NAME) and label.endswith("(yours)")
    shown = selector.shown_text()
    assert "…" in shown and shown != label
    assert shown.startswith("PyTorch MLP") and shown.endswith("(yours)")  # cut in the middle
    assert label in selector.toolTip()
    window.grab().save(str(tmp_path / "yours.png"))
