"""Audit issue 19, items 2, 4 and 9 (and two of item 10's tracebacks): where an export, a
personal model or a TensorBoard log is to go is checked before any work; an export and its card
are replaced as one unit, whatever moment a kill strikes; what a killed export or save left
behind (partial, staged and lock files) is tidied."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from digitpad import atomic, backends, export, models, samples
from digitpad.cli import main
from digitpad.errors import ModelFileError
from digitpad.predictors import load_any

UNWRITABLE = Path("/proc/digitpad-audit")  # refused even to root, unlike a chmod-ed folder


def one_line_refusal(capsys, code: int, *words: str) -> str:
    """The command failed with exit 2 and one plain line naming what is wrong."""
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert "Traceback" not in err and "\n" not in err, err
    assert err.startswith("digitpad: ") and all(w in err for w in words), err
    return err


def user_model(folder: Path, backend: str = "torch", arch: str = "mlp") -> Path:
    """A bundled model copied, with its card, into `folder` as the user's own."""
    source = models.default_model(backend, arch)
    target = folder / source.name
    shutil.copyfile(source, target)
    shutil.copyfile(models.card_path(source), models.card_path(target))
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# -- item 2: the destination is checked before any work --------------------------------------


def test_an_export_over_its_own_model_is_refused_and_the_model_still_loads(tmp_path, capsys):
    model = user_model(tmp_path)
    before = snapshot(tmp_path)
    code = main(["export", str(model), "--format", "torchscript", "--out", str(model)])
    one_line_refusal(capsys, code, str(model), ".torchscript")
    assert snapshot(tmp_path) == before
    assert load_any(model).card.backend == "torch"


def test_an_export_never_overwrites_a_model_of_another_kind(tmp_path, capsys):
    source = user_model(tmp_path)
    keras = user_model(tmp_path, "keras")
    before = snapshot(tmp_path)
    code = main(["export", str(source), "--format", "onnx", "--out", str(keras)])
    one_line_refusal(capsys, code, str(keras), ".onnx")
    assert snapshot(tmp_path) == before
    assert load_any(keras).card.backend == "keras"


def test_a_savedmodel_is_never_written_over_a_model_file_or_a_plain_folder(tmp_path, capsys):
    keras = user_model(tmp_path, "keras")
    code = main(["export", str(keras), "--format", "savedmodel", "--out", str(keras)])
    one_line_refusal(capsys, code, str(keras))
    assert load_any(keras).card.backend == "keras"
    plain = tmp_path / "Desktop"
    plain.mkdir()
    # a folder that is not a SavedModel is where the export goes, not what it replaces
    assert export.check_destination(keras, "savedmodel", plain) == plain / "keras_mlp_savedmodel"


def test_an_export_to_an_unwritable_place_is_refused_in_one_line(tmp_path, capsys):
    source = models.default_model("torch", "mlp")
    for fmt, name in (("torchscript", "m.torchscript"), ("onnx", "m.onnx")):
        code = main(["export", str(source), "--format", fmt, "--out", str(UNWRITABLE / name)])
        one_line_refusal(capsys, code, "cannot write")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code = main(
        ["export", str(source), "--format", "torchscript", "--out", str(blocker / "m.torchscript")]
    )
    one_line_refusal(capsys, code, "cannot write")


def test_the_window_says_why_an_export_cannot_go_there_before_any_work(qtbot, tmp_path):
    from digitpad.ui.exporting import Exporter
    from digitpad.ui.workers import WorkerPool

    pool = WorkerPool()
    said: list[str] = []
    Exporter(pool).run(
        models.default_model("torch", "mlp"), "onnx", UNWRITABLE / "m.onnx", said.append
    )
    assert (
        len(said) == 1
        and said[0].startswith("Could not export: ")
        and "cannot write there" in said[0]
    )
    assert pool.running() == []


# -- item 4: an export and its card are one unit; leftovers are tidied ------------------------


class Killed(BaseException):
    """Stands in for SIGKILL: nothing catches it, and the save runs no cleanup after it."""


def test_an_export_killed_at_any_fsync_or_step_leaves_a_pair_that_loads(tmp_path, monkeypatch):
    """The audit's `strace -e inject=fsync:signal=KILL:when=N` over an existing export, in
    process: the bundled MLP exported over an ONNX export of the CNN, killed at every point."""
    images = np.random.default_rng(0).random((16, 28, 28), np.float32)
    folder, new = tmp_path, models.default_model("torch", "mlp")
    out = folder / "x.onnx"
    export.export(models.default_model("torch", "cnn"), "onnx", out, images=images)
    kept = {
        out.name: out.read_bytes(),
        models.card_path(out).name: models.card_path(out).read_bytes(),
    }
    old_sha = models.sha256_of(out)

    def which() -> str:  # the pair loads, so its checksum matched: the card is the file's own
        return "old" if load_any(out).card.sha256 == old_sha else "new"

    # The conversion is not what is killed: every run below writes the same converted bytes
    # (one real conversion), so each kill costs the save protocol only.
    side = folder.parent / f"{folder.name}-conversion" / "new.onnx"  # not in the export folder
    side.parent.mkdir()
    backends.get("torch").export(load_any(new), "onnx", side)  # the conversion alone
    converted = side.read_bytes()
    monkeypatch.setattr(
        backends.get("torch"),
        "export",
        lambda predictor, fmt, path: Path(path).write_bytes(converted),
    )
    real_fsync = os.fsync
    calls, kill = [], {"at": 0}

    def counting(fd):
        calls.append(fd)
        if len(calls) == kill["at"]:
            raise Killed
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting)
    export.export(new, "onnx", out, images=images)  # a whole run: how many fsyncs it makes
    fsyncs = len(calls)
    assert fsyncs >= 2
    seen = set()
    for kill["at"] in range(1, fsyncs + 1):
        for name, data in kept.items():
            (folder / name).write_bytes(data)
        calls.clear()
        with pytest.raises(Killed):
            export.export(new, "onnx", out, images=images)
        seen.add(which())
    assert "old" in seen  # killed before its commit point: the old pair
    monkeypatch.setattr(os, "fsync", real_fsync)
    for step in models.STEPS:  # kills between the renames, where no fsync happens
        for name, data in kept.items():
            (folder / name).write_bytes(data)

        def die(name, step=step):
            if name == step:
                raise Killed

        with pytest.raises(Killed):
            export.export(new, "onnx", out, images=images, on_step=die)
        committed = models.STEPS.index(step) >= models.STEPS.index("card committed")
        assert which() == ("new" if committed else "old"), step
    export.export(new, "onnx", out, images=images)  # the next export tidies what was left
    assert sorted(p.name for p in folder.iterdir()) == ["x.onnx", "x.onnx.json"]


def test_leftovers_beside_an_export_are_tidied_by_the_next_export_there(tmp_path):
    out = tmp_path / "x.torchscript"
    left = [
        tmp_path / ".x.torchscript.exporting.torchscript",
        tmp_path / ".x.exporting.torchscript",  # named as before issue 19
        tmp_path / ".x.torchscript.0123456789abcdef.staged",
        tmp_path / ".x.torchscript.k2j3h4.partial.torchscript",
        tmp_path / ".x.torchscript.json.k2j3h4.partial.json",
    ]
    for path in left:
        path.write_bytes(b"left by a killed export")
    other = tmp_path / ".someone-else.partial"
    other.write_bytes(b"not ours")
    export.export(
        models.default_model("torch", "mlp"),
        "torchscript",
        out,
        images=np.zeros((4, 28, 28), np.float32),
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, out.name, out.name + ".json"]
    card = json.loads(models.card_path(out).read_text())
    assert card["sha256"] == models.sha256_of(out)


def test_lock_files_do_not_pile_up_or_outlive_their_model(private_home):
    folder = models.models_dir()
    folder.mkdir(parents=True)
    target = user_model(folder)
    card = models.read_card(target)
    for _ in range(3):
        models.save(
            target, lambda tmp: shutil.copyfile(models.default_model("torch", "mlp"), tmp), card
        )
    load_any(target)
    assert not list(folder.glob(".*.lock"))
    stale = folder / ".deleted-model.pt.lock"  # left by a process killed while it held a lock
    stale.touch()
    held = folder / "busy.pt"
    with atomic.locked(held):
        models.recover(folder)
        assert not stale.exists()
        assert list(folder.glob(".busy.pt.lock"))  # a lock someone holds stays
    assert not list(folder.glob(".*.lock"))


# -- item 9: personalise checks where the model goes before it fine-tunes ---------------------


@pytest.fixture
def ten_samples(tmp_path, mnist) -> Path:
    folder = tmp_path / "samples"
    for i in range(12):
        samples.add(mnist.test_x[i], int(mnist.test_y[i]), folder=folder)
    return folder


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (str(UNWRITABLE / "x.pt"), ("cannot write",)),
        ("x.keras", ("x.keras", ".pt")),
    ],
)
def test_personalise_refuses_a_bad_out_before_fine_tuning(
    ten_samples, tmp_path, capsys, name, words
):
    out = tmp_path / name  # an absolute name stays itself
    base = models.default_model("torch", "mlp")
    code = main(
        ["personalise", "--model", str(base), "--samples", str(ten_samples), "--out", str(out)]
    )
    err = one_line_refusal(capsys, code, *words)
    assert "epoch" not in err and not out.exists()


def test_personalise_finds_an_unwritable_data_folder_before_fine_tuning(
    ten_samples, tmp_path, monkeypatch, capsys
):
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    monkeypatch.setenv("DIGITPAD_HOME", str(home))
    base = models.default_model("torch", "mlp")
    code = main(["personalise", "--model", str(base), "--samples", str(ten_samples)])
    one_line_refusal(capsys, code, "cannot write")


# -- item 10: train --tensorboard to an unwritable place --------------------------------------


def test_train_refuses_an_unwritable_tensorboard_folder_in_one_line(capsys, tmp_path):
    code = main(
        [
            "train",
            "--backend",
            "torch",
            "--epochs",
            "1",
            "--out",
            str(tmp_path / "m.pt"),
            "--tensorboard",
            str(UNWRITABLE),
        ]
    )
    one_line_refusal(capsys, code, "TensorBoard", str(UNWRITABLE))
    assert not (tmp_path / "m.pt").exists()


def test_a_model_file_error_is_what_a_bad_destination_raises(tmp_path):
    with pytest.raises(ModelFileError, match="cannot write"):
        export.check_destination(
            models.default_model("torch", "mlp"), "onnx", UNWRITABLE / "m.onnx"
        )
