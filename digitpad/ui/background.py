"""Run a plain function on a pool thread and get its result back on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(object)
    error = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn, self.relay = fn, relay

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as err:  # handed to the GUI thread, which reports it
            self.relay.error.emit(err)
        else:
            self.relay.done.emit(result)


class Background(QObject):
    """A one-thread pool owned by a widget: jobs run in order, results arrive as slots."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._relays: set[_Relay] = set()

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[Exception], None]) -> None:
        relay = _Relay()  # created here, so its signals are delivered on the GUI thread
        self._relays.add(relay)
        relay.done.connect(on_done)
        relay.error.connect(on_error)
        relay.done.connect(lambda _: self._relays.discard(relay))
        relay.error.connect(lambda _: self._relays.discard(relay))
        self.pool.start(_Job(fn, relay))

    def busy(self) -> bool:
        return self.pool.activeThreadCount() > 0

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
