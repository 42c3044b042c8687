"""Designing a network in the window: the training panel's layer editor, a run of the designed
network in both frameworks, the model summary, and the Keras model written out as a script that
runs on its own. Real widgets, real trainings on small slices."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from digitpad import models, network
from tests.test_training_ui import TRAIN_MS, small_panel
from tests.test_window import LOAD_MS, open_window

TUTORIAL_WITH_DROPOUT = "dense:256,dropout:0.2,dense:64"


def design(qtbot, editor) -> None:
    """What the issue's learner does: pick Tutorial MLP, add dropout 0.2 after the first
    layer, widen that layer to 256."""
    editor.preset.setCurrentIndex(editor.preset.findData("mlp"))
    first = editor._rows.index(0)  # the first written layer (after the implied flatten)
    editor.table.selectRow(first)
    add = next(a for a in editor.addButton.menu().actions() if a.text() == "Dropout")
    add.trigger()
    editor.table.item(first, 0).setText("dense:256")  # typed into its cell
    qtbot.waitUntil(lambda: editor.spec() == TUTORIAL_WITH_DROPOUT)


def test_the_editor_shows_shapes_weights_and_totals_as_you_edit(qtbot):
    window = open_window(qtbot)
    editor = window.open_training().form.network
    design(qtbot, editor)
    assert editor.preset.currentData() == network.CUSTOM
    cells = [
        [editor.table.item(r, c).text() for c in range(4)] for r in range(editor.table.rowCount())
    ]
    assert cells[1] == ["dense:256", "256", f"{784 * 256 + 256:,}", f"{784 * 256:,}"]
    assert cells[-1][0] == "dense 10 (output)" and cells[-1][2] == f"{64 * 10 + 10:,}"
    weights = 784 * 256 + 256 + 256 * 64 + 64 + 650
    assert editor.totals.text().startswith(f"{weights:,} weights")
    editor.table.selectRow(1)
    editor.insert("conv:8:3")  # an image layer after a flat one
    panel = window.open_training()
    assert not panel.startButton.isEnabled()
    assert "layer 2 (conv 8 3x3 relu): works on images" in editor.problem.text()
    editor.remove()
    assert panel.startButton.isEnabled() and editor.problem.text() == ""
    editor.preset.setCurrentIndex(editor.preset.findData("cnn"))
    assert editor.layers() == network.preset("cnn").layers


def test_a_designed_network_trains_in_both_frameworks_and_exports_as_a_script(
    qtbot, private_home, small_mnist_dir, tmp_path
):
    window = open_window(qtbot)
    trained = {}
    for backend in ("torch", "keras"):
        panel = small_panel(qtbot, window, backend)
        design(qtbot, panel.form.network)
        window.session.predictor.card.test_accuracy = 0.0  # the new model takes over
        with qtbot.waitSignal(window.modelChanged, timeout=TRAIN_MS):
            assert panel.start()
            qtbot.waitUntil(lambda p=panel: not p.is_running(), timeout=TRAIN_MS)
        trained[backend] = Path(panel.last_model_path)
        qtbot.waitUntil(lambda b=backend: window.model_path == trained[b], timeout=LOAD_MS)
        card = json.loads(models.card_path(trained[backend]).read_text())
        assert network.format_layers(network.from_json(card["network"])) == TUTORIAL_WITH_DROPOUT
        summary = window.open_model_summary()
        rows = [summary.table.item(r, 0).text() for r in range(summary.table.rowCount())]
        assert rows == [
            "flatten",
            "dense 256 relu",
            "dropout 0.2",
            "dense 64 relu",
            "dense 10 (output)",
        ]
        assert summary.totals.text().startswith(f"{card['params']:,} weights")
        assert (
            "Sequential" if backend == "torch" else "Total params"
        ) in summary.framework.toPlainText()
    # The settings remember the designed network for the next run.
    assert window.open_training().form.network.spec() == TUTORIAL_WITH_DROPOUT

    said = []
    script = tmp_path / "my_mlp.py"
    window.exporter.run(trained["keras"], "script", script, said.append)
    assert said == [f"Wrote the training script {script}"]
    run = subprocess.run(
        [sys.executable, str(script), str(small_mnist_dir), "--epochs", "1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert float(re.search(r"test accuracy (\d\.\d+)", run.stdout)[1]) > 0.3
