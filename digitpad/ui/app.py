"""Starting the GUI: the window is shown first; models load afterwards, off the GUI thread."""

from __future__ import annotations

import multiprocessing
import sys


def run_app(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()
    from PySide6.QtWidgets import QApplication

    from digitpad.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("digitpad")
    app.setOrganizationName("digitpad")
    app.setApplicationDisplayName("digitpad")
    window = MainWindow()
    app.setWindowIcon(window.windowIcon())
    window.show()
    return app.exec()
