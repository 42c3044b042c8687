"""Loading models off the GUI thread: torch and TensorFlow take seconds to import, and the
window must be drawable meanwhile. Loaded predictors are kept so switching back is instant."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from digitpad.models import ModelFileError
from digitpad.predictors import load_any
from digitpad.ui.background import Background


class ModelLoader(QObject):
    """Emits `loaded(path, predictor)` or `failed(path, message)` on the GUI thread."""

    loaded = Signal(str, object)
    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._background = Background(self)
        self._cache: dict[tuple[str, str], object] = {}

    def request(self, path: Path, device: str = "cpu") -> None:
        key = (str(path), device)
        if key in self._cache:
            self.loaded.emit(str(path), self._cache[key])
            return
        self._background.submit(lambda: load_any(Path(path), device),
                                lambda predictor: self._on_loaded(key, predictor),
                                lambda err: self.failed.emit(key[0], _message(path, err)))

    def forget(self, path: Path) -> None:
        for key in [k for k in self._cache if k[0] == str(path)]:
            del self._cache[key]

    def wait(self, msecs: int = -1) -> bool:
        return self._background.wait(msecs)

    def _on_loaded(self, key: tuple[str, str], predictor) -> None:
        self._cache[key] = predictor
        self.loaded.emit(key[0], predictor)


def _message(path: Path, err: Exception) -> str:
    if isinstance(err, (ModelFileError, ValueError, OSError)):
        return str(err)
    return f"{path}: {type(err).__name__}: {err}"
