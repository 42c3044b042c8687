"""Starting the GUI: the window is shown first; models load afterwards, off the GUI thread."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from digitpad import __version__
from digitpad.cli.common import EXIT_NO_WINDOW

if TYPE_CHECKING:
    from digitpad.ui.workers import WorkerPool

QUIT_WAIT_S = 1.0  # what background work gets, once asked to stop, before the process ends
PUBLISH_WAIT_S = 30  # a model save publishing its files (renames and an fsync) finishes first


def run_app(argv: list[str] | None = None, pictures: Sequence[Path] = ()) -> int:
    """Show the window (with the first of `pictures` on the canvas, read as File > Open image
    reads it) and run until it closes; the process ends there (see _exit_now)."""
    multiprocessing.freeze_support()
    from digitpad.ui import system_libraries

    blocker = system_libraries.problem()
    if blocker:  # Qt would abort the process with a cryptic message instead
        print(f"digitpad: {blocker}", file=sys.stderr)
        return EXIT_NO_WINDOW
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
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
    app.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName("digitpad")  # Wayland finds the icon by digitpad.desktop
    window = MainWindow()
    window.closed.connect(app.quit)  # even if some other window were still open
    LastResort(window).install()
    app.setWindowIcon(window.windowIcon())
    if os.environ.get("DIGITPAD_STARTUP_PROBE"):
        _report_startup(window)
    window.show()
    if pictures:
        window.open_image(Path(pictures[0]))
    code = app.exec()
    return _exit_now(code, window.tasks, window.loads)


def _exit_now(code: int, tasks: WorkerPool, loads: WorkerPool) -> NoReturn:
    """End the process within about a second of the window closing, whatever still runs.

    The window has saved the settings and asked every worker to stop. Tasks (training,
    evaluation, personalising) stop between steps and get QUIT_WAIT_S to end cleanly; a model
    load cannot stop half-way and is not waited for, nor is a task still busy after that
    (importing a framework, converting an export). Such work only holds memory and threads, and
    the interpreter's teardown would wait for it and for TensorFlow's atexit handlers: minutes,
    for nothing the user needs. The one exception is a model save publishing its files:
    `atomic.PUBLISHING` lets it finish and keeps the next from starting, so a save is whole or
    never started. The log names what was left, and is flushed last."""
    import logging

    from digitpad import atomic

    tasks.wait(int(QUIT_WAIT_S * 1000))
    atomic.PUBLISHING.acquire(timeout=PUBLISH_WAIT_S)  # held until the end
    left = tasks.unfinished() + loads.unfinished()
    if left:
        logging.getLogger("digitpad.ui").info(
            "quitting without waiting for: %s (asked to stop)", ", ".join(left)
        )
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
