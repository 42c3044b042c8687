"""Writing files so that a crash, a kill or a second writer never leaves half of one.

Everything is written to a hidden `.partial` file in the destination folder, flushed to disk and
then renamed into place (a rename within one folder is atomic). Several renames that must happen
together run under a lock file, so two processes never interleave them.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL = ".partial"
FILE_MODE = 0o644  # models and samples are not secret; mkstemp would make them owner-only
PUBLISHING = threading.RLock()  # held around every `locked` section; quitting waits for it


def partial_file(path: Path) -> Path:
    """A fresh, hidden, uniquely named file beside `path` that cleanup recognises. It keeps
    `path`'s suffix: some writers (Keras) insist on it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PARTIAL + path.suffix,
                                dir=path.parent)
    os.close(fd)
    os.chmod(name, FILE_MODE)
    return Path(name)


def flush(path: Path) -> None:
    """Force a file's bytes to disk before it is renamed into place."""
    with path.open("rb") as f:
        os.fsync(f.fileno())


def flush_folder(folder: Path) -> None:
    """Force a folder's entries (renames) to disk; not possible (or needed) on Windows."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_via_partial(path: Path, write: Callable[[Path], None]) -> Path:
    """Run `write(tmp)` on a partial file beside `path` and flush it; returns the partial
    file (the caller renames it into place). Removed again if `write` fails."""
    tmp = partial_file(path)
    try:
        write(tmp)
        flush(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Replace `path` with what `write(tmp)` produces, all or nothing."""
    path = Path(path)
    tmp = write_via_partial(path, write)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    flush_folder(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock named after `path` (a hidden `.lock` file beside it). The
    operating system releases it if the process dies, so a kill never leaves it held."""
    lock = path.with_name(f".{path.name}.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, FILE_MODE)
    PUBLISHING.acquire()  # before the file lock: one order, whatever sections nest
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
        PUBLISHING.release()


def leftovers(folder: Path) -> list[Path]:
    """Partial files that a killed writer left behind."""
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if p.name.startswith(".") and PARTIAL in p.name]


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Let Ctrl-C wait until a short critical write is done (main thread only; elsewhere
    there is no signal to hold back). A kill cannot be held back: the save's design copes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
