"""The model session without Qt: requests are numbered, so the model the user chose last wins,
whatever order the loads finish in."""

from __future__ import annotations

from pathlib import Path

from digitpad import models
from digitpad import session as events
from digitpad.session import ModelSession


class HeldLoads:
    """Background loading that the test finishes by hand, in any order (the real loader)."""

    def __init__(self) -> None:
        self.jobs = []

    def __call__(self, load, on_done, on_error) -> None:
        self.jobs.append((load, on_done, on_error))

    def finish(self, index: int) -> None:
        load, on_done, on_error = self.jobs.pop(index)
        try:
            result = load()
        except Exception as err:
            on_error(err)
        else:
            on_done(result)


def make_session():
    loads = HeldLoads()
    session = ModelSession(loads)
    heard = []
    session.subscribe(heard.append)
    session.refresh()
    return session, loads, heard


def test_a_slow_load_arriving_late_never_replaces_the_model_chosen_last():
    session, loads, heard = make_session()
    cnn, mlp = models.default_model("torch"), models.default_model("torch", "mlp")
    session.select(cnn)
    loads.finish(0)
    assert session.active == cnn
    session.select(mlp)  # slow: still loading when...
    session.select(cnn)  # ...the user goes back; cached, so active at once
    assert session.active == cnn and not session.loading
    loads.finish(0)  # the earlier request's result arrives late
    assert session.active == cnn and session.predictor.path == cnn
    assert heard.count(events.ACTIVE) == 2
    session.select(mlp)  # its result was kept: switching to it is instant
    assert session.active == mlp and not loads.jobs


def test_two_quick_switches_end_on_the_second_whatever_finishes_first():
    session, loads, _ = make_session()
    first, second = models.default_model("torch", "mlp"), models.default_model("torch")
    session.select(first)
    session.select(second)
    loads.finish(1)  # the second finishes first
    loads.finish(0)
    assert session.active == second


def test_a_stale_failure_is_not_shown(tmp_path):
    session, loads, heard = make_session()
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a model")
    session.select(broken)
    session.select(models.default_model("torch", "mlp"))
    loads.finish(1)
    loads.finish(0)
    assert session.error == "" and events.FAILED not in heard
    session.select(broken)
    loads.finish(0)
    assert "not a PyTorch model file" in session.error
    assert session.active == models.default_model("torch", "mlp")  # the old one stays


def test_a_model_loaded_from_elsewhere_is_listed_and_a_deleted_one_forgotten(tmp_path):
    import shutil

    session, loads, _ = make_session()
    source = models.default_model("torch", "mlp")
    copy = tmp_path / "mine.pt"
    shutil.copy(source, copy)
    shutil.copy(models.card_path(source), models.card_path(copy))
    session.select(copy)
    loads.finish(0)
    assert session.card(copy) is not None
    copy.unlink()
    session.forget(copy)
    assert session.predictor is None and session.card(copy) is None
    assert isinstance(session.entries[0][0], Path)
