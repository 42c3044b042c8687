"""The last line of defence: an exception that escapes a Qt slot or event handler is logged with
its traceback and shown in the window, and the app keeps running. PySide calls sys.excepthook for
those; without this, the error would be printed to a console the user never sees."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger("digitpad.ui")


class LastResort:
    """Installed as sys.excepthook while the window lives; at most one dialog at a time."""

    def __init__(self, window: QWidget) -> None:
        self.window = window
        self.caught = 0
        self._box: QMessageBox | None = None
        self._previous = sys.excepthook

    def install(self) -> None:
        sys.excepthook = self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self._previous

    def __call__(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous(kind, error, tb)
            return
        self.caught += 1
        log.error("unexpected error: %s", error, exc_info=(kind, error, tb))
        where = traceback.extract_tb(tb)[-1] if tb else None
        detail = f" ({where.name} in {where.filename.rsplit('/', 1)[-1]})" if where else ""
        text = (
            f"Something went wrong: {kind.__name__}: {error}{detail}. digitpad keeps "
            "running; the details are in the log (Help > Show log folder)."
        )
        say = getattr(self.window, "status", None)
        if say is not None:
            say.say(text)
        if self._box is None or not self._box.isVisible():
            self._box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Unexpected error",
                text,
                QMessageBox.StandardButton.Ok,
                self.window,
            )
            self._box.open()
