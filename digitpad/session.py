"""The app's model state, free of Qt: which model reads the drawing, which one the user asked
for last, what is loading, what failed, and the list of models to choose from.

The window and the dialogs observe a `ModelSession`; they never hold model state themselves.
Loading runs through the `submit` function given at construction (a Qt worker pool in the app, a
plain call in tests); the session is only ever changed on the thread that owns it (the GUI
thread in the app). Every request is numbered: a result that arrives after the user asked for
another model is cached but never shown, so the model the user chose last always wins.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from digitpad import backends, models
from digitpad.backends.base import Predictor
from digitpad.errors import DeviceUnavailable, ModelFileError
from digitpad.heap import import_and_freeze, loading_without_pauses

log = logging.getLogger("digitpad.session")

CACHE_SIZE = 8  # loaded models kept for instant switching back (the 5 bundled and 3 more);
# the oldest unused goes first. Reloading a Keras model costs TensorFlow memory it never returns.
Submit = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]], None]
Listener = Callable[[str], None]

# What listeners are told.
MODELS = "models"  # the list of models changed
LOADING = "loading"  # a model was asked for and is loading
ACTIVE = "active"  # a model became active (also when a cached one is chosen)
FAILED = "failed"  # the model asked for could not be loaded; the previous one stays


def plain_message(path: Path, err: Exception) -> str:
    """A load failure in words a user can act on (the traceback goes to the log)."""
    if isinstance(err, (ModelFileError, DeviceUnavailable)):
        return str(err)
    if isinstance(err, OSError):
        return f"{path}: cannot be read ({err.strerror or err})"
    log.error("unexpected failure loading %s", path, exc_info=err)
    return f"{path.name}: could not be loaded ({type(err).__name__}: {err})"


class ModelSession:
    def __init__(
        self, submit: Submit, load: Callable[[Path, str], Predictor] | None = None
    ) -> None:
        from digitpad.predictors import load_any

        self._submit, self._load = submit, load or load_any
        self.predictor: Predictor | None = None
        self.active: Path | None = None  # the model file that reads the drawing now
        self.pending: Path | None = None  # the model file asked for, still loading
        self.error = ""  # why the last request failed, in plain words
        self.entries: list[tuple[Path, models.ModelCard]] = []
        self.skipped: list[tuple[Path, str]] = []  # models left out of the list, and why
        self._request = 0
        self._cache: OrderedDict[tuple[str, str], Predictor] = OrderedDict()
        self._fetching: dict[tuple[str, str], list[tuple[Callable, Callable]]] = {}
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _notify(self, event: str) -> None:
        for listener in list(self._listeners):
            listener(event)

    # --- the list -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the bundled and user models (after training, a rename or a delete)."""
        self.skipped = []
        entries = models.list_models(self.skipped)
        for _, reason in self.skipped:
            log.warning("model left out of the list: %s", reason)
        known = {p for p, _ in entries}
        for extra in (self.active, self.pending):  # a file loaded from elsewhere stays listed
            if extra and extra not in known and extra.exists():
                try:
                    entries.append((extra, models.read_card(extra)))
                    known.add(extra)
                except ModelFileError:
                    pass
        self.entries = entries
        self._notify(MODELS)

    def card(self, path: Path) -> models.ModelCard | None:
        return next((c for p, c in self.entries if p == Path(path)), None)

    # --- choosing ---------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self.pending is not None

    def select(self, path: Path, device: str = "cpu") -> int:
        """Ask for a model; the current one keeps reading until it is ready. Returns the
        request's number."""
        path = Path(path)
        self._request += 1
        request = self._request
        self.pending = path
        key = (str(path), device)
        if key in self._cache:
            self._cache.move_to_end(key)
            self._activate(request, key, self._cache[key])
            return request
        self._notify(LOADING)
        self._submit(
            lambda: self._load_quietly(path, device),
            lambda predictor: self._loaded(request, key, predictor),
            lambda err: self._failed(request, path, err),
        )
        return request

    def _load_quietly(self, path: Path, device: str) -> Predictor:
        """The load, on a worker thread, without collector pauses that would freeze the window."""
        with loading_without_pauses():
            try:
                import_and_freeze(backends.for_path(path).import_framework)
            except Exception:  # the load below says what is wrong, in its own words
                pass
            return self._load(path, device)

    def _loaded(self, request: int, key: tuple[str, str], predictor: Predictor) -> None:
        self._activate(request, key, self._keep(key, predictor))

    def _keep(self, key: tuple[str, str], predictor: Predictor) -> Predictor:
        """Cache a loaded model (kept even if stale: switching to it later is instant) and
        return the one to use: the copy cached already if two loads of it overlapped."""
        predictor = self._cache.setdefault(key, predictor)
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            oldest = next(iter(self._cache))
            if self._cache[oldest] is self.predictor:
                self._cache.move_to_end(oldest)
                continue
            del self._cache[oldest]
        return predictor

    def fetch(
        self,
        path: Path,
        device: str,
        on_done: Callable[[Predictor], None],
        on_error: Callable[[str], None],
    ) -> None:
        """A model for a view that reads with several at once (View > Compare models), never
        made active: from the cache at once, else loaded in the background like `select` and
        cached, so the window and the view share one copy of each model. `on_error` gets the
        failure in plain words."""
        path = Path(path)
        key = (str(path), device)
        if key in self._cache:
            self._cache.move_to_end(key)
            on_done(self._cache[key])
            return
        waiting = self._fetching.setdefault(key, [])
        waiting.append((on_done, on_error))
        if len(waiting) > 1:
            return  # loading already: one load serves every view that asked for it

        def done(predictor: Predictor) -> None:
            predictor = self._keep(key, predictor)
            for then, _ in self._fetching.pop(key, []):
                then(predictor)

        def failed(err: Exception) -> None:
            message = plain_message(path, err)
            for _, then in self._fetching.pop(key, []):
                then(message)

        self._submit(lambda: self._load_quietly(path, device), done, failed)

    def _activate(self, request: int, key: tuple[str, str], predictor: Predictor) -> None:
        if request != self._request:
            return  # the user has asked for another model since
        self.predictor, self.active, self.pending, self.error = predictor, Path(key[0]), None, ""
        if self.card(self.active) is None:
            self.refresh()
        self._notify(ACTIVE)

    def _failed(self, request: int, path: Path, err: Exception) -> None:
        if request != self._request:
            return
        self.pending = None
        self.error = plain_message(path, err)
        self._notify(FAILED)

    def forget(self, path: Path) -> None:
        """A model file is gone (deleted): drop it; the caller chooses what reads next."""
        for key in [k for k in self._cache if k[0] == str(path)]:
            del self._cache[key]
        if self.active == Path(path):
            self.predictor, self.active = None, None
        self.refresh()
