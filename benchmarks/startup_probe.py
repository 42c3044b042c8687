"""Child process for the start-up benchmark: prints JSON with wall-clock times (time.time()) of
the main window's first paint and of the model being ready. `--bare` shows an empty PySide6
window instead (the floor)."""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    bare = "--bare" in sys.argv
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    times: dict[str, float] = {}
    app = QApplication(sys.argv[:1])

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and "paint" not in times:
                times["paint"] = time.time()
                if bare:
                    QTimer.singleShot(0, app.quit)
            return False

    if bare:
        window = QMainWindow()
    else:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        from digitpad.ui.main_window import MainWindow

        window = MainWindow()

        def ready() -> None:
            times["ready"] = time.time()
            QTimer.singleShot(0, app.quit)

        window.modelChanged.connect(ready)
    spy = FirstPaint()
    window.installEventFilter(spy)
    window.show()
    QTimer.singleShot(120_000, app.quit)
    app.exec()
    print(json.dumps(times))


if __name__ == "__main__":
    main()
