"""Every training run kept (issue 22, part 3): real trainings on small MNIST slices record their
runs however they end, damaged run files are skipped and named, `digitpad runs` lists them,
and Model > Training runs in the real window lists, overlays, exports and deletes them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from digitpad import network, paths, runs, train_job
from digitpad.cli import main
from tests.test_trainers import Recorder
from trainers.callbacks import TrainingCancelled, TrainingFailed
from trainers.config import TrainConfig

BACKENDS = ["torch", "keras"]


def train(mnist, backend: str, arch: str = "mlp", epochs: int = 2, **settings):
    config = TrainConfig(backend=backend, arch=arch, epochs=epochs, batch_size=32, **settings)
    return config, train_job.run(config, mnist.subset(300, 200), Recorder())


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_finished_training_keeps_its_run_with_every_epoch(mnist, backend):
    config, (path, card, result) = train(mnist, backend)
    (run,) = runs.list_runs()
    assert run.status == runs.FINISHED and run.reason == ""
    assert run.backend == backend and run.arch == "mlp" and run.network_name == "MLP"
    assert run.config == config.as_dict() and run.network == network.to_json(config.network)
    assert run.device == "cpu" and run.device_label == "CPU"
    assert run.model == str(path) and run.test_accuracy == card.test_accuracy
    assert run.images == 300 and run.seconds == round(result.seconds, 2)
    assert len(run.epochs) == 2
    for kept, measured in zip(run.epochs, result.history, strict=True):
        assert {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds"} <= set(kept)
        assert {k: kept[k] for k in measured} == pytest.approx(measured)
        assert kept["seconds"] >= 0
    assert run.path.parent == paths.runs_dir() and run.path.name.endswith(f"-{backend}-mlp.json")
    assert runs.find(run.id) == run


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cancelled_training_keeps_its_run_with_the_epochs_reached(mnist, backend,
                                                                    private_home):
    class StopInEpochTwo(Recorder):
        def should_stop(self):
            return len(self.epochs) == 1 and len(self.batches) > 12

    config = TrainConfig(backend=backend, arch="mlp", epochs=4, batch_size=32)
    with pytest.raises(TrainingCancelled):
        train_job.run(config, mnist.subset(300, 200), StopInEpochTwo())
    (run,) = runs.list_runs()
    assert run.status == runs.CANCELLED and len(run.epochs) == 1
    assert run.model == "" and run.test_accuracy is None and run.seconds > 0
    assert not list((private_home / "models").glob("*.*"))  # still: no model is saved


def test_a_failed_training_keeps_its_run_and_the_reason(mnist):
    with pytest.raises(TrainingFailed):  # a learning rate of 10 with plain SGD diverges
        train(mnist, "torch", lr=10, optimizer="sgd", augment=False)
    (run,) = runs.list_runs()
    assert run.status == runs.FAILED and "loss became nan" in run.reason
    assert run.model == "" and run.test_accuracy is None


def write_damaged_runs(folder: Path) -> set[str]:
    """Run files a person or a program could leave: each must be skipped, none may crash."""
    folder.mkdir(parents=True, exist_ok=True)
    good = {"started": "2025-01-01T10:00:00+00:00", "status": "finished", "backend": "torch",
            "arch": "mlp", "epochs": [{"loss": 0.5, "accuracy": 0.9}]}
    bad = {
        "not-json.json": "{not json",
        "a-list.json": "[1, 2]",
        "no-status.json": json.dumps({k: v for k, v in good.items() if k != "status"}),
        "odd-status.json": json.dumps(good | {"status": "exploded"}),
        "text-loss.json": json.dumps(good | {"epochs": [{"loss": "low"}]}),
        "nan-accuracy.json": json.dumps(good | {"test_accuracy": float("nan")}),
        "newer.json": json.dumps(good | {"version": 99}),
        "deep.json": "[" * 100_000 + "]" * 100_000,
    }
    for name, text in bad.items():
        (folder / name).write_text(text)
    (folder / "latin1.json").write_bytes(b'{"started": "\xe9"}')
    return set(bad) | {"latin1.json"}


def test_a_damaged_run_file_is_skipped_and_named(mnist):
    train(mnist, "torch", epochs=1)
    damaged = write_damaged_runs(paths.runs_dir())
    skipped = []
    (run,) = runs.list_runs(skipped)
    assert run.status == runs.FINISHED
    assert {p.name for p, _ in skipped} == damaged
    why = dict((p.name, reason) for p, reason in skipped)
    assert "'status' is 'exploded', not one of finished" in why["odd-status.json"]
    assert "epoch 1 is not" in why["text-loss.json"]
    assert "from a newer digitpad" in why["newer.json"]
    assert all(reason.startswith(str(paths.runs_dir())) for reason in why.values())


def cli(args: list, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_lists_runs_as_json_and_writes_their_epochs_as_csv(mnist, tmp_path, capsys):
    code, out, _ = cli(["runs", "--json"], capsys)
    assert code == 0 and json.loads(out)["runs"] == []
    train(mnist, "torch", epochs=2)
    train(mnist, "keras", epochs=1)
    (paths.runs_dir() / "broken.json").write_text("{")
    code, out, err = cli(["runs", "--json"], capsys)
    listed = json.loads(out)
    assert code == 0 and [r["backend"] for r in listed["runs"]] == ["keras", "torch"]
    assert [len(r["epochs"]) for r in listed["runs"]] == [1, 2]
    assert listed["runs"][1]["status"] == "finished" and listed["runs"][1]["test_accuracy"] > 0
    assert [Path(s["path"]).name for s in listed["skipped"]] == ["broken.json"]
    assert "skipped broken.json" in err
    code, out, _ = cli(["runs"], capsys)
    assert code == 0 and all(r["id"] in out for r in listed["runs"])

    table = tmp_path / "both.csv"
    ids = [r["id"] for r in listed["runs"]]
    code, out, _ = cli(["runs", "--csv", table, *ids], capsys)
    rows = list(csv.DictReader(table.open()))
    assert code == 0 and "wrote 3 epochs of 2 runs" in out
    assert [(r["run"], r["epoch"]) for r in rows] == [(ids[0], "1"), (ids[1], "1"),
                                                      (ids[1], "2")]
    assert float(rows[2]["loss"]) == pytest.approx(listed["runs"][1]["epochs"][1]["loss"],
                                                   rel=1e-5)
    code, _, err = cli(["runs", "--csv", table, "no-such-run"], capsys)
    assert code == 2 and "no run 'no-such-run'" in err
