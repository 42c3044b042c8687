"""The status bar and Help > Show log folder in the real window: the model named once with
where it runs, the reading-time cell filled from start-up, and the log folder's path offered
for copying where no file manager opens."""

from __future__ import annotations

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from digitpad import models
from digitpad.logs import log_file
from tests.gui import line
from tests.test_window import LOAD_MS, draw_and_wait, open_window


def test_the_model_is_named_once_and_reading_time_shows_from_start_up(qtbot, tmp_path):
    window = open_window(qtbot)
    assert window.canvas.is_blank()
    assert window.status.model.text() == "PyTorch CNN  ·  CPU"
    assert "Read by PyTorch on CPU" in window.status.model.toolTip()
    assert window.status.latency.text().endswith(" ms")  # before any stroke
    window.grab().save(str(tmp_path / "start.png"))
    with qtbot.waitSignal(window.modelChanged, timeout=LOAD_MS):
        window.select_model(models.default_model("onnx"))
    assert window.status.model.text() == "PyTorch CNN · ONNX  ·  CPU"
    assert window.status.model.toolTip().count("ONNX Runtime") == 1
    timed_blank = window.status.latency.text()
    assert timed_blank.endswith(" ms")
    draw_and_wait(qtbot, window, lambda: line(window.canvas, (0.5, 0.15), (0.5, 0.85)))
    assert window.status.latency.text() == f"{window.last_latency_ms:.1f} ms"


class FileManager(QObject):
    """Stands in for the desktop's file manager: takes the folder it is asked to show."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[QUrl] = []

    @Slot(QUrl)
    def show(self, url: QUrl) -> None:
        self.shown.append(url)


def test_show_log_folder_opens_it_or_offers_to_copy_its_path(qtbot, tmp_path):
    window = open_window(qtbot)
    folder = str(log_file().parent)
    manager = FileManager()
    QDesktopServices.setUrlHandler("file", manager, "show")
    try:
        logs = next(a for a in window.actions() if a.text() == "Show &log folder")
        logs.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in manager.shown] == [folder]
    assert window.statusBar().currentMessage() == f"Log folder: {folder}"
    assert window.findChild(QMessageBox, "logFolderBox") is None

    logs.trigger()  # no file manager here (offscreen): the path, and a button to copy it
    box = window.findChild(QMessageBox, "logFolderBox")
    assert box.isVisible() and folder in box.text()
    box.grab().save(str(tmp_path / "logs.png"))
    copy = next(b for b in box.buttons() if b.text() == "Copy path")
    copy.click()
    assert QGuiApplication.clipboard().text() == folder
    assert window.statusBar().currentMessage() == f"Copied {folder}"
