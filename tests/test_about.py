"""Help > About, opened from the real window's menu: the versions a bug report needs, the active
model and which framework Keras runs on; without TensorFlow (an extra now) it says so and that
Keras runs on PyTorch, instead of failing on the missing package's metadata."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from digitpad import __version__

ROOT = Path(__file__).resolve().parent.parent
# Python's own way to make a module unimportable; the window then runs as an install without the
# [tensorflow] extra does (the registry picks Keras on PyTorch, find_spec finds no TensorFlow).
WITHOUT_TENSORFLOW = """
import json
import sys
import time

sys.modules["tensorflow"] = None
from PySide6.QtWidgets import QApplication
app = QApplication([])
from digitpad.ui.main_window import MainWindow
from tests.test_about import about_box
window = MainWindow()
window.show()
deadline = time.monotonic() + 120
while window.predictor is None and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
box = about_box(window)
box.grab().save(sys.argv[1])
print(json.dumps({"text": box.text()}))
box.close()
window.close()
"""


def about_box(window) -> QMessageBox:
    """Help > About digitpad chosen from the window's menu bar: the message box it opens."""
    [help_menu] = [a.menu() for a in window.menuBar().actions() if a.text() == "&Help"]
    [about] = [a for a in help_menu.actions() if a.text() == "&About digitpad"]
    about.trigger()
    QApplication.processEvents()
    return [
        box
        for box in window.findChildren(QMessageBox)
        if box.windowTitle() == "About digitpad" and box.isVisible()
    ][-1]


def test_about_names_the_versions_the_active_model_and_keras_on_tensorflow(qtbot, tmp_path):
    from PySide6 import __version__ as pyside_version

    from tests.test_window import open_window

    box = about_box(open_window(qtbot))
    text = box.text()
    assert f"digitpad {__version__}" in text
    assert f"PyTorch {version('torch')}" in text and f"PySide6 {pyside_version}" in text
    assert f"TensorFlow {version('tensorflow')}" in text
    assert f"Keras {version('keras')}, running on TensorFlow" in text
    assert f"ONNX Runtime {version('onnxruntime')}" in text
    assert "PyTorch CNN" in text and "test accuracy" in text
    assert box.grab().save(str(tmp_path / "about.png"))  # it renders
    box.close()


def test_without_tensorflow_about_says_not_installed_and_keras_runs_on_pytorch(tmp_path):
    shot = tmp_path / "about-without-tensorflow.png"
    run = subprocess.run(
        [sys.executable, "-c", WITHOUT_TENSORFLOW, str(shot)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout.strip().splitlines()[-1])
    assert "TensorFlow not installed" in shown["text"]
    assert f"Keras {version('keras')}, running on PyTorch" in shown["text"]
    assert "PyTorch CNN" in shown["text"]  # the bundled model was loaded, without TensorFlow
    assert shot.stat().st_size > 0  # it renders
