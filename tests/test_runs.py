"""Every training run kept (issue 22, part 3): real trainings on small MNIST slices record their
runs however they end, damaged run files are skipped and named, `digitpad runs` lists them,
and Model > Training runs in the real window lists, overlays, exports and deletes them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from digitpad import network, paths, runs, train_job
from digitpad.cli import main
from digitpad.ui.runs_chart import legend_names
from digitpad.ui.runs_view import RunsView
from tests.test_trainers import Recorder
from tests.test_training_ui import TRAIN_MS, small_panel
from tests.test_window import open_window
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
def test_a_cancelled_training_keeps_its_run_with_the_epochs_reached(mnist, backend, private_home):
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
    good = {
        "started": "2025-01-01T10:00:00+00:00",
        "status": "finished",
        "backend": "torch",
        "arch": "mlp",
        "epochs": [{"loss": 0.5, "accuracy": 0.9}],
    }
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
    assert [(r["run"], r["epoch"]) for r in rows] == [(ids[0], "1"), (ids[1], "1"), (ids[1], "2")]
    assert float(rows[2]["loss"]) == pytest.approx(listed["runs"][1]["epochs"][1]["loss"], rel=1e-5)
    code, _, err = cli(["runs", "--csv", table, "no-such-run"], capsys)
    assert code == 2 and "no run 'no-such-run'" in err


def lines(chart) -> dict[str, int]:
    """A chart's lines: name -> number of points."""
    return {line.name(): line.count() for line in chart.series}


def test_the_runs_view_lists_overlays_exports_and_deletes_runs(qtbot, mnist, tmp_path, monkeypatch):
    train(mnist, "torch", epochs=2)
    train(mnist, "keras", epochs=3)
    (paths.runs_dir() / "broken.json").write_text("{")
    window = open_window(qtbot)
    assert window.commands.runs in window.commands.model_menu.actions()
    window.commands.runs.trigger()  # Model > Training runs
    view = window.findChild(QDialog, "runsView")
    assert view.isVisible() and view.table.rowCount() == 2
    assert "broken.json" in view.note.text() and "broken.json" in view.note.toolTip()
    newest, older = view.found
    assert (newest.backend, older.backend) == ("keras", "torch")
    assert view.ticked() == [newest]  # the newest run is drawn to begin with
    assert lines(view.charts.accuracy) == {"Keras MLP": 3, "Keras MLP validation": 3}

    view.tick(older.id)  # now both, on one chart
    assert lines(view.charts.accuracy) == {
        "Keras MLP": 3,
        "Keras MLP validation": 3,
        "PyTorch MLP": 2,
        "PyTorch MLP validation": 2,
    }
    assert len(view.charts.loss.series) == 4
    first = view.charts.accuracy.series[0]
    assert [first.at(i).y() for i in range(3)] == pytest.approx(
        [e["accuracy"] for e in newest.epochs]
    )
    view.table.sortItems(4)  # by epochs, fewest first
    assert view.table.item(0, 1).text() == "PyTorch"
    QApplication.sendPostedEvents()  # the charts' legends lay out in posted events
    view.grab().save("/tmp/runs-view.png")

    table = view.export_csv(tmp_path / "two.csv")
    rows = list(csv.DictReader(table.open()))
    assert [(r["backend"], r["epoch"]) for r in rows] == [
        ("keras", "1"),
        ("keras", "2"),
        ("keras", "3"),
        ("torch", "1"),
        ("torch", "2"),
    ]
    picture = view.export_png(tmp_path / "two.png")
    assert Image.open(picture).size == (view.charts.width(), view.charts.height())

    view.tick(newest.id, False)
    assert set(lines(view.charts.accuracy)) == {"PyTorch MLP", "PyTorch MLP validation"}
    view.table.selectRow(0)  # the PyTorch run (sorted by epochs)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    view.delete_selected()
    assert [r.id for r in runs.list_runs()] == [newest.id] and view.table.rowCount() == 1
    assert view.ticked() == [] and view.charts.accuracy.series == []
    assert Path(older.model).is_file()  # its model stays

    panel = small_panel(qtbot, window, "torch")  # a run of the window's own training
    panel.start()
    qtbot.waitUntil(lambda: view.table.rowCount() == 2, timeout=TRAIN_MS)
    assert view.found[0].status == runs.FINISHED and view.found[0].model == panel.last_model_path


def test_legend_names_are_short_and_tell_runs_apart():
    def run(backend, arch, started):
        return runs.Run(started=started, status=runs.FINISHED, backend=backend, arch=arch)

    shown = [
        run("keras", "cnn", "2025-03-01T10:15:00"),
        run("torch", "cnn", "2025-03-01T10:20:00"),
        run("torch", "cnn", "2025-03-01T11:00:00"),
        run("torch", "cnn", "2025-03-01T11:00:30"),
    ]
    assert legend_names(shown) == [
        "Keras CNN",
        "PyTorch CNN 10:20",
        "PyTorch CNN 11:00 #1",
        "PyTorch CNN 11:00 #2",
    ]


def test_a_diverged_run_is_drawn_without_hanging_the_chart(qtbot):
    """A loss of 1e15 (lr=10 with plain SGD gets there) once asked a shown chart for billions of
    ticks of 0.5: the window hung. The training panel's live chart is the same widget."""
    huge = {"loss": 8.8e15, "accuracy": 0.1, "val_loss": 14.5, "val_accuracy": 0.1}
    runs.save(
        runs.Run(
            started="2025-03-01T10:15:00+00:00",
            status=runs.FAILED,
            backend="torch",
            arch="mlp",
            epochs=[huge],
            reason="the loss became inf",
        )
    )
    view = RunsView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.reload()
    assert lines(view.charts.loss) == {"PyTorch MLP": 1, "PyTorch MLP validation": 1}
    axis = view.charts.loss.y_axis
    assert axis.max() >= 8.8e15 and axis.tickInterval() >= axis.max() / 10
    view.tick(view.found[0].id, False)  # and back to a small range
    assert axis.max() == pytest.approx(1.0) and axis.tickInterval() <= 0.5
    QApplication.sendPostedEvents()
    view.grab().save("/tmp/runs-diverged.png")
