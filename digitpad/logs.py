"""A rotating log file in the user's data folder, so that a bug report carries its cause: every
error shown in the window or the CLI is written there with its traceback."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from digitpad.paths import logs_dir

LOG_NAME = "digitpad.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def log_file() -> Path:
    return logs_dir() / LOG_NAME


def setup() -> Path | None:
    """Send digitpad's log records to the rotating file (once per folder); None if the folder
    cannot be written, in which case the app runs on without a log file."""
    logger = logging.getLogger("digitpad")
    logger.setLevel(logging.INFO)
    target = log_file()
    for handler in logger.handlers:
        if getattr(handler, "baseFilename", None) == str(target):
            return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = _QuietFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError:
        # Without any handler, Python prints each record and its traceback on stderr, under
        # the one-line message the user was already given.
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    return target


class _QuietFileHandler(logging.handlers.RotatingFileHandler):
    """A log file that falls silent when it cannot be written (a full disk, a folder made
    read-only later): the log is for bug reports, never a reason to print tracebacks."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass
