"""Starting the GUI: the window is shown first; models load afterwards, off the GUI thread."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from typing import NoReturn

EXIT_NO_WINDOW = 3


def run_app(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()
    from digitpad.ui import system_libraries

    blocker = system_libraries.problem()
    if blocker:  # Qt would abort the process with a cryptic message instead
        print(f"digitpad: {blocker}", file=sys.stderr)
        return EXIT_NO_WINDOW
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from digitpad.ui.last_resort import LastResort
    from digitpad.ui.main_window import MainWindow

    # Every pointer position counts: merged mouse moves turn a quick curve into a chord.
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_CompressHighFrequencyEvents, False)
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_CompressTabletEvents, False)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("digitpad")
    app.setOrganizationName("digitpad")
    app.setApplicationDisplayName("digitpad")
    window = MainWindow()
    LastResort(window).install()
    app.setWindowIcon(window.windowIcon())
    if os.environ.get("DIGITPAD_STARTUP_PROBE"):
        _report_startup(window)
    window.show()
    code = app.exec()
    return _exit_now(code)


def _exit_now(code: int) -> NoReturn:
    """Leave at once. By now the window has saved the settings and every worker has finished;
    what is left is the interpreter's teardown, which takes seconds once TensorFlow is loaded
    (its atexit handlers and thread joins), for nothing the user needs."""
    import logging

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _report_startup(window) -> None:
    """Print wall-clock times of the first paint and of the model being ready, then quit:
    how the start-up of the built program is measured (benchmarks, README)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        seen = False

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and not self.seen:
                self.seen = True
                print(f"first-paint {time.time():.6f}", flush=True)
            return False

    window._startup_probe = FirstPaint(window)
    window.installEventFilter(window._startup_probe)

    def ready() -> None:
        print(f"model-ready {time.time():.6f}", flush=True)
        QTimer.singleShot(0, window.close)

    window.modelChanged.connect(ready)
