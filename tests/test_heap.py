"""Model loading without garbage-collector pauses: collection is off while a load runs and
comes back on after it; a framework's first import is frozen out of later full collections."""

from __future__ import annotations

import gc
import threading

from digitpad import models
from digitpad.heap import import_and_freeze, loading_without_pauses
from digitpad.predictors import load_any
from digitpad.session import ModelSession


def test_collection_resumes_only_when_the_last_of_two_overlapping_loads_ends():
    first_inside, second_done, checks = threading.Event(), threading.Event(), {}

    def other_load() -> None:
        with loading_without_pauses():
            first_inside.set()
            second_done.wait(30)
            checks["off while both load"] = not gc.isenabled()

    thread = threading.Thread(target=other_load)
    thread.start()
    first_inside.wait(30)
    with loading_without_pauses():
        pass
    checks["off after one of two ended"] = not gc.isenabled()
    second_done.set()
    thread.join(30)
    assert checks == {"off while both load": True, "off after one of two ended": True}
    assert gc.isenabled()


def test_a_host_that_turned_collection_off_keeps_it_off():
    gc.disable()
    try:
        with loading_without_pauses():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_first_import_freezes_what_exists(tmp_path, monkeypatch):
    (tmp_path / "freshly_imported_framework.py").write_text("TABLE = [[i] for i in range(1000)]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = gc.get_freeze_count()
    import_and_freeze(lambda: __import__("freshly_imported_framework"))
    assert gc.get_freeze_count() >= before + 1000  # out of every later full collection


def test_nothing_is_frozen_when_nothing_new_is_imported_or_a_model_is_built():
    """A frozen object that becomes cyclic garbage is never freed: models are never frozen."""
    before = gc.get_freeze_count()
    import_and_freeze(lambda: __import__("json"))  # imported long ago
    with loading_without_pauses():
        kept = [[i] for i in range(1000)]
    assert gc.get_freeze_count() == before and len(kept) == 1000
    assert gc.isenabled()


def test_the_window_loads_models_without_collector_pauses():
    seen = []

    def load(path, device):  # stands in for the real loader, to look inside the load
        seen.append(gc.isenabled())
        return load_any(path, device)

    def submit(work, on_done, on_error) -> None:  # run the load right here, like a worker
        try:
            on_done(work())
        except Exception as err:  # pragma: no cover - the assertion below shows it
            on_error(err)

    session = ModelSession(submit, load=load)
    session.select(models.default_model("torch"))
    assert session.predictor is not None and session.error == ""
    assert seen == [False]  # collection paused while the model loaded
    assert gc.isenabled()  # and back on afterwards
