"""Entry point of the packaged program (PyInstaller freezes this file).

A windowed build on Windows or macOS has no console: sys.stdout and sys.stderr are None there,
and any print would raise. They are pointed at a log file in the user's data folder instead.
"""

import multiprocessing
import os
import sys


def _ensure_streams() -> None:
    if sys.stdout is not None and sys.stderr is not None:
        return
    from digitpad.paths import logs_dir

    log_dir = logs_dir()
    os.makedirs(log_dir, exist_ok=True)
    log = open(os.path.join(log_dir, "digitpad.log"), "a", encoding="utf-8", buffering=1)  # noqa: SIM115
    sys.stdout = sys.stdout or log
    sys.stderr = sys.stderr or log


if __name__ == "__main__":
    multiprocessing.freeze_support()  # torch / TensorFlow helpers may start child processes
    _ensure_streams()
    from digitpad.cli import main

    sys.exit(main())
