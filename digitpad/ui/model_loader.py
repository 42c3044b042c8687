"""Loading models off the GUI thread: torch and TensorFlow take seconds to import, and the
window must be drawable meanwhile. Loaded predictors are kept so switching back is instant."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from digitpad.models import ModelFileError
from digitpad.predictors import load_any


class _Signals(QObject):
    loaded = Signal(str, object)  # path, predictor
    failed = Signal(str, str)     # path, message


class _LoadJob(QRunnable):
    def __init__(self, path: Path, device: str, signals: _Signals) -> None:
        super().__init__()
        self.path, self.device, self.signals = path, device, signals

    def run(self) -> None:
        try:
            predictor = load_any(self.path, self.device)
        except (ModelFileError, ValueError, OSError) as err:
            self.signals.failed.emit(str(self.path), str(err))
        except Exception as err:  # an unexpected framework error must not kill the app
            self.signals.failed.emit(str(self.path), f"{self.path}: {type(err).__name__}: {err}")
        else:
            self.signals.loaded.emit(str(self.path), predictor)


class ModelLoader(QObject):
    """Emits `loaded(path, predictor)` or `failed(path, message)` on the GUI thread."""

    loaded = Signal(str, object)
    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one framework import at a time
        self._signals = _Signals()
        self._signals.loaded.connect(self._on_loaded)
        self._signals.failed.connect(self.failed)
        self._cache: dict[tuple[str, str], object] = {}

    def request(self, path: Path, device: str = "cpu") -> None:
        key = (str(path), device)
        if key in self._cache:
            self.loaded.emit(str(path), self._cache[key])
            return
        self._pool.start(_LoadJob(Path(path), device, self._signals))

    def add(self, predictor) -> None:
        """Remember a predictor made elsewhere (a model just trained)."""
        self._cache[(str(predictor.path), predictor.device)] = predictor

    def forget(self, path: Path) -> None:
        for key in [k for k in self._cache if k[0] == str(path)]:
            del self._cache[key]

    def busy(self) -> bool:
        return self._pool.activeThreadCount() > 0

    def wait(self, msecs: int = -1) -> bool:
        return self._pool.waitForDone(msecs)

    def _on_loaded(self, path: str, predictor) -> None:
        self._cache[(path, predictor.device)] = predictor
        self.loaded.emit(path, predictor)
