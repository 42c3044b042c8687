"""The one kind of background job: model loading, device listing, evaluation, download and
training all run as a `Worker` on a `WorkerPool`.

A worker's life is a template: `started`, then the work, then `returned(result)` or
`errored(exception)`, then always `finished`. Work that can be stopped checks
`worker.abort_requested()` between its steps (training does so before every batch) and reports
with `worker.report(value)`, which arrives as `progress(value)`. `quit()` only asks; nothing is
ever killed. The pool keeps every running worker alive until it finishes. At quit the app asks
them all to stop, waits briefly (`wait`) and ends the process whatever `unfinished()` still names
(ui.app): a framework import or a model load cannot be stopped half-way, and the process must not
outlive its windows.

Workers are created on the GUI thread, so their signals, even to plain functions, are delivered
there: no widget is touched from a worker thread. The pool's threads are plain Python threads
that live as long as the pool: native libraries that remember a thread's Python state (as
TensorFlow's pybind11 does) never see it change under them, as they would on a QThreadPool,
whose jobs each get a fresh Python thread state on a reused OS thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from digitpad.priority import lower_this_thread

log = logging.getLogger("digitpad.workers")


class Worker(QObject):
    started = Signal()
    progress = Signal(object)
    returned = Signal(object)
    errored = Signal(object)  # the exception
    finished = Signal()

    def __init__(self, work: Callable[[Worker], Any], name: str) -> None:
        super().__init__()
        self.work, self.name = work, name
        self._abort = threading.Event()
        self._done = threading.Event()

    def quit(self) -> None:
        """Ask the work to stop at its next check; it still ends through `finished`."""
        self._abort.set()

    def abort_requested(self) -> bool:
        return self._abort.is_set()

    def report(self, value: Any) -> None:
        """Called by the work, on its thread: hands `value` to `progress` on the GUI thread."""
        self.progress.emit(value)

    def is_done(self) -> bool:
        return self._done.is_set()

    def run(self) -> None:
        """The template; runs on a pool thread."""
        self.started.emit()
        try:
            result = self.work(self)
        except Exception as err:  # handed to the GUI thread, which reports it
            log.info(
                "%s ended with %s: %s",
                self.name,
                type(err).__name__,
                err,
                exc_info=not isinstance(err, (OSError, ValueError)),
            )
            self.errored.emit(err)
        else:
            self.returned.emit(result)
        finally:
            self._done.set()
            self.finished.emit()


class WorkerPool(QObject):
    """Threads for workers. Jobs beyond `threads` wait their turn, in order."""

    def __init__(
        self, parent: QObject | None = None, threads: int = 2, name: str = "digitpad"
    ) -> None:
        super().__init__(parent)
        self._size, self._name = threads, name
        self._threads: list[threading.Thread] = []
        self._queue: queue.SimpleQueue[Worker] = queue.SimpleQueue()
        self._running: set[Worker] = set()  # as seen from the GUI thread
        self._callbacks: dict[Worker, tuple[Callable | None, Callable | None]] = {}
        self._unfinished: list[Worker] = []  # queued or running, as seen from the threads
        self._changed = threading.Condition()

    def start(
        self,
        work: Callable[[Worker], Any],
        name: str,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> Worker:
        """Run `work(worker)` in the background; `on_done(result)` or `on_error(exception)`
        follow on the GUI thread."""
        worker = Worker(work, name)
        # Outcomes reach their callbacks through the pool's own slots, not direct connections:
        # Qt drops a connection to a deleted receiver, so once the pool's window is gone, a
        # queued outcome is never delivered to widgets that no longer exist.
        self._callbacks[worker] = (on_done, on_error)
        worker.returned.connect(self._returned)
        worker.errored.connect(self._errored)
        worker.finished.connect(self._finished)
        self._running.add(worker)
        with self._changed:
            self._unfinished.append(worker)
        if len(self._threads) < self._size:
            thread = threading.Thread(
                target=self._serve, daemon=True, name=f"{self._name}-{len(self._threads) + 1}"
            )
            self._threads.append(thread)
            thread.start()
        self._queue.put(worker)
        return worker

    def _serve(self) -> None:
        lower_this_thread()  # background work yields the cores to the window
        while True:
            worker = self._queue.get()
            try:
                worker.run()
            finally:
                with self._changed:
                    self._unfinished.remove(worker)
                    self._changed.notify_all()

    def _returned(self, result: Any) -> None:
        on_done = self._callbacks.get(self.sender(), (None, None))[0]
        if on_done:
            on_done(result)

    def _errored(self, err: Exception) -> None:
        on_error = self._callbacks.get(self.sender(), (None, None))[1]
        if on_error:
            on_error(err)

    def _finished(self) -> None:
        self._callbacks.pop(self.sender(), None)
        self._running.discard(self.sender())

    def running(self) -> list[Worker]:
        """Workers whose `finished` has not yet reached the GUI thread."""
        return list(self._running)

    def quit_all(self) -> None:
        for worker in list(self._running):
            worker.quit()

    def wait(self, msecs: int) -> bool:
        """Block until every job has run (quitting, tests and scripts; the window never
        blocks): True if none is left."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._unfinished, msecs / 1000)

    def unfinished(self) -> list[str]:
        """Names of the jobs queued or still running on the threads; unlike `running()`, this
        needs no event loop to be up to date."""
        with self._changed:
            return [worker.name for worker in self._unfinished]
