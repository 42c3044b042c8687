"""Writing files so that a crash, a kill or a second writer never leaves half of one.

Everything is written to a hidden `.partial` file in the destination folder, flushed to disk and
then renamed into place (a rename within one folder is atomic). Several renames that must happen
together run under a lock file, so two processes never interleave them; the lock file goes
again when its holder is done.
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
LOCK = ".lock"
FILE_MODE = 0o644  # models and samples are not secret; mkstemp would make them owner-only
PUBLISHING = threading.RLock()  # held while a save publishes (models.save_unit); quit waits


def partial_file(path: Path) -> Path:
    """A fresh, hidden, uniquely named file beside `path` that cleanup recognises. It keeps
    `path`'s suffix: some writers (Keras) insist on it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=PARTIAL + path.suffix, dir=path.parent
    )
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
    operating system releases it if the process dies, so a kill never leaves it held. The
    holder removes the lock file when done, so lock files do not pile up; a waiter that then
    finds it holds a removed file tries again on the current one."""
    lock = lock_file(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            _lock(fd, wait=True)
        except BaseException:
            os.close(fd)
            raise
        if sys.platform == "win32" or _still_named(fd, lock):
            break
        os.close(fd)
    try:
        yield
    finally:
        if sys.platform != "win32":  # Windows cannot remove an open file; it stays there
            lock.unlink(missing_ok=True)
        os.close(fd)  # closing releases the lock


def lock_file(path: Path) -> Path:
    return Path(path).with_name(f".{Path(path).name}{LOCK}")


def remove_unused_locks(folder: Path) -> list[Path]:
    """Remove lock files nobody holds: those of a process killed while it held one (the lock
    itself died with it). Returns what was removed."""
    removed = []
    if sys.platform == "win32" or not folder.is_dir():
        return removed
    for lock in [p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(LOCK)]:
        try:
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            continue
        try:
            if _lock(fd, wait=False) and _still_named(fd, lock):
                lock.unlink(missing_ok=True)
                removed.append(lock)
        finally:
            os.close(fd)
    return removed


def _lock(fd: int, wait: bool) -> bool:
    """Take the exclusive lock on an open lock file; False if `wait` is off and it is held."""
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _still_named(fd: int, lock: Path) -> bool:
    """Whether the locked file is still the one at `lock` (its holder may have removed it)."""
    try:
        named = os.stat(lock)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (mine.st_dev, mine.st_ino)


def unwritable(folder: Path) -> str | None:
    """Why no file can be created in `folder` (made if missing), or None when one can. Found
    by creating one, not by permission bits: those say nothing to root, or about /proc or a
    read-only disk."""
    folder = Path(folder) if str(folder) else Path(".")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None or not existing.is_dir():
        return f"{existing or folder} is not a folder"
    try:
        fd, name = tempfile.mkstemp(prefix=".digitpad-probe.", dir=existing)
    except OSError as err:
        return f"folder {existing} is not writable: {err.strerror or err}"
    os.close(fd)
    os.unlink(name)
    return None


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
