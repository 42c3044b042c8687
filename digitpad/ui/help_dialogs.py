"""Help > Keyboard shortcuts, Help > Show log folder and Help > About."""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata
from importlib.util import find_spec

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from digitpad import __version__, backends
from digitpad.ui.canvas import UNDO_STEPS

# the packages TensorFlow is published as; each installs the module `tensorflow`
TENSORFLOW_DISTS = ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tensorflow-intel")
NOT_INSTALLED = "not installed"
SHORTCUTS = [
    ("Draw", "Left mouse button"),
    ("Erase", "Right mouse button, or E for the eraser tool"),
    ("Undo / Redo", f"Ctrl+Z / Ctrl+Shift+Z (the last {UNDO_STEPS} steps)"),
    ("Clear", "Esc or Delete"),
    ("Thinner / thicker pen", "[ / ]"),
    ("Open an image to classify", "Ctrl+O (or drop a file on the window)"),
    ("Save the drawing", "Ctrl+S"),
    ("Teach: this drawing is the digit…", "0-9, or click its bar"),
    ("Teach: the reading is right", "Enter"),
    ("Forget the last sample taught", "Ctrl+Backspace"),
    ("Number mode (write a whole number)", "N"),
    ("Show why (colour the 28×28 preview)", "W"),
    ("Inside the network (every layer's output)", "I"),
    ("Retrain", "Ctrl+T"),
    ("Evaluate the model", "Ctrl+E"),
    ("Quit", "Ctrl+Q"),
]


def installed_version(module: str, *dists: str) -> str:
    """A library's version as About shows it, looked up without importing it (TensorFlow takes
    seconds): "not installed" where it cannot be imported (an extra left out), and "installed"
    where it can but no package metadata says its version (a frozen build may carry none)."""
    try:
        found = find_spec(module) is not None
    except (ImportError, ValueError):  # a broken install, or one blocked in sys.modules
        found = False
    if not found:
        return NOT_INSTALLED
    for dist in dists or (module,):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return "installed"


def about_text(card_summary: str) -> str:
    """What Help > About says: the versions a bug report needs, which framework Keras runs on
    (TensorFlow is an extra; without it Keras files run through PyTorch), the active model."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    keras = installed_version("keras")
    if keras != NOT_INSTALLED:
        keras += f", running on {backends.get('keras').runs_on}"
    return (
        f"<h3>digitpad {__version__}</h3>"
        "<p>Draw a digit; a network trained on MNIST reads it as you draw.</p>"
        f"<p>Qt {qVersion()} (PySide6 {pyside_version})<br>"
        f"PyTorch {installed_version('torch')}<br>"
        f"TensorFlow {installed_version('tensorflow', *TENSORFLOW_DISTS)}<br>"
        f"Keras {keras}<br>"
        f"ONNX Runtime {installed_version('onnxruntime', 'onnxruntime', 'onnxruntime-gpu')}</p>"
        f"<p><b>Active model:</b> {card_summary}</p>"
        "<p>MIT license. MNIST by Yann LeCun and Corinna Cortes, CC BY-SA 3.0; pen-drawn "
        "digits by E. Alpaydin and F. Alimoglu (UCI), CC BY 4.0.</p>"
    )


def show_shortcuts(parent: QWidget) -> None:
    rows = "".join(
        f"<tr><td><b>{what}</b>&nbsp;&nbsp;</td><td>{keys}</td></tr>" for what, keys in SHORTCUTS
    )
    box = QMessageBox(
        QMessageBox.Icon.NoIcon,
        "Keyboard shortcuts",
        f"<table>{rows}</table>",
        QMessageBox.StandardButton.Close,
        parent,
    )
    box.open()


def show_about(window) -> None:
    box = QMessageBox(
        QMessageBox.Icon.NoIcon,
        "About digitpad",
        window.about_text(),
        QMessageBox.StandardButton.Close,
        window,
    )
    box.setIconPixmap(window.windowIcon().pixmap(64, 64))
    box.open()


def show_log_folder(parent: QWidget, say: Callable[[str], None]) -> str:
    """Open the folder of the log file in the desktop's file manager. Where none opens (a bare
    desktop, a remote session) say where it is, with a button that copies the path. Returns
    the path."""
    from digitpad.logs import log_file

    folder = log_file().parent
    folder.mkdir(parents=True, exist_ok=True)
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        say(f"Log folder: {folder}")
        return str(folder)
    box = QMessageBox(
        QMessageBox.Icon.Information,
        "Log folder",
        f"No file manager opened. The log files are in:\n{folder}",
        QMessageBox.StandardButton.Close,
        parent,
    )
    box.setObjectName("logFolderBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    copy = box.addButton("Copy path", QMessageBox.ButtonRole.ActionRole)
    copy.clicked.connect(lambda: _copy(str(folder), say))
    box.open()
    return str(folder)


def _copy(text: str, say: Callable[[str], None]) -> None:
    QGuiApplication.clipboard().setText(text)
    say(f"Copied {text}")
