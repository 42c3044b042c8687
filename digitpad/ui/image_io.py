"""Pictures in and out of the window: File > Open image, dropping a file, File > Save drawing
(whose save dialog the runs view's exports use too)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from digitpad.images import READABLE, read_image
from digitpad.preprocess import to_ink
from digitpad.ui.canvas import DrawingCanvas

log = logging.getLogger("digitpad.ui")


def open_image(parent: QWidget, canvas: DrawingCanvas, path: Path) -> str | None:
    """Put a picture on the canvas (it is then read like a drawing). Returns None, or why the
    file could not be opened; that is also shown in a (non-blocking) message box."""
    try:
        ink = to_ink(read_image(path))
    except (OSError, ValueError) as err:
        log.info("cannot open %s: %s", path, err)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Cannot open image",
            str(err),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.open()  # window-modal but not blocking: the event loop keeps running
        return str(err)
    canvas.show_picture(ink)
    return None


def choose_image(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(
        parent, "Open image", "", f"Images ({' '.join(READABLE)})"
    )
    return Path(name) if name else None


def choose_save_path(
    parent: QWidget, title: str = "Save drawing", name: str = "digit.png", kind: str = "PNG (*.png)"
) -> Path | None:
    """Where to save a file (the drawing, unless told otherwise); its suffix is added when the
    name typed has none."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, name, kind)
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix else path.with_suffix(Path(name).suffix)


def save_drawing(canvas: DrawingCanvas, path: Path) -> Path | None:
    """Save the drawing as a PNG; the path written, or None if it could not be."""
    path = Path(path).with_suffix(".png") if not Path(path).suffix else Path(path)
    return path if canvas.image().save(str(path), "PNG") else None


def dropped_file(event) -> Path | None:
    """The first local file of a drag or drop event."""
    for url in event.mimeData().urls():
        if url.isLocalFile():
            return Path(url.toLocalFile())
    return None
