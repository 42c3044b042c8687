"""A model and its card are saved as one unit: killed at any step, or raced by a second save, a
model file always loads afterwards with the card that belongs to it (the old pair or the new
one, never neither), and what a killed save left behind is cleaned up on the next start."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from digitpad import models
from digitpad.errors import ModelFileError
from digitpad.predictors import load_any

ROOT = Path(__file__).resolve().parent.parent
STEPS = ["model written", "model staged", "card written", "card committed", "model published"]

# Saves a bundled model's bytes (with its card) over `target`, dying at `kill_at` like kill -9.
SAVE = """
    import os, shutil, sys
    from pathlib import Path
    from digitpad import models
    target, kill_at, arch = Path(sys.argv[1]), sys.argv[2], sys.argv[4]
    source = models.default_model("torch", arch)
    card = models.read_card(source)
    card.name, card.sha256, card.created = "new " + arch, "", ""

    def step(name):
        if name == kill_at:
            os._exit(9)

    for _ in range(int(sys.argv[3])):
        models.save(target, lambda tmp: shutil.copyfile(source, tmp), card, on_step=step)
"""


def save_in_subprocess(
    target: Path, kill_at: str = "", times: int = 1, arch: str = "cnn"
) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SAVE), str(target), kill_at, str(times), arch],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )


def old_pair(folder: Path) -> Path:
    """A user model (the bundled MLP under another name) with its card."""
    source = models.default_model("torch", "mlp")
    target = folder / "mine.pt"
    shutil.copyfile(source, target)
    card = json.loads(models.card_path(source).read_text())
    card["name"] = "old"
    models.card_path(target).write_text(json.dumps(card))
    return target


@pytest.mark.parametrize("kill_at", STEPS)
def test_a_save_killed_at_any_step_leaves_a_pair_that_loads(tmp_path, kill_at):
    target = old_pair(tmp_path)
    proc = save_in_subprocess(target, kill_at)
    assert proc.wait(timeout=120) == 9
    removed = models.recover(tmp_path, older_than_s=0)  # what the next start does
    predictor = load_any(target)
    before_commit = STEPS.index(kill_at) < STEPS.index("card committed")
    assert predictor.card.name == ("old" if before_commit else "new cnn")
    assert predictor.card.arch == ("mlp" if before_commit else "cnn")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["mine.pt", "mine.pt.json"] or left == [
        ".mine.pt.lock",
        "mine.pt",
        "mine.pt.json",
    ], left
    if kill_at == "model written":
        assert [p.name for p in removed][0].endswith(".partial.pt")


def test_recent_leftovers_of_a_save_in_progress_are_left_alone(tmp_path):
    target = old_pair(tmp_path)
    save_in_subprocess(target, "card written").wait(timeout=120)
    assert models.recover(tmp_path) == []  # younger than ten minutes: maybe another process
    assert models.recover(tmp_path, older_than_s=0)


@pytest.mark.parametrize("archs", [("cnn", "mlp"), ("cnn", "cnn")])
def test_two_concurrent_saves_to_one_path_never_break_the_pair(tmp_path, archs):
    target = old_pair(tmp_path)
    writers = [save_in_subprocess(target, times=15, arch=arch) for arch in archs]
    seen = 0
    while any(w.poll() is None for w in writers):
        try:
            models.check(target, models.read_card(target))
        except ModelFileError as err:
            pytest.fail(f"a reader saw a broken pair: {err}")
        seen += 1
    assert all(w.returncode == 0 for w in writers)
    assert seen > 0
    predictor = load_any(target)  # the checksum matched: the card is the file's own
    assert predictor.card.name in {f"new {arch}" for arch in archs}
    assert predictor.card.name == f"new {predictor.card.arch}"
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name or ".staged" in p.name]


def test_a_card_that_claims_the_other_backend_is_refused(tmp_path):
    target = old_pair(tmp_path)
    card = json.loads(models.card_path(target).read_text())
    card["backend"] = "keras"
    models.card_path(target).write_text(json.dumps(card))
    with pytest.raises(
        ModelFileError, match="card says it is a Keras model, but the file is a PyTorch one"
    ):
        load_any(target)


def test_saving_leaves_the_process_umask_alone_and_files_readable(tmp_path):
    umask = os.umask(0o027)
    try:
        target = old_pair(tmp_path)
        card = models.read_card(target)
        models.save(
            target, lambda tmp: shutil.copyfile(models.default_model("torch", "mlp"), tmp), card
        )
        assert os.umask(0o027) == 0o027  # unchanged by the save
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty file"),
        (os.urandom(2000), "not a PyTorch model file"),
    ],
)
def test_torch_files_that_are_not_models_are_named_plainly(tmp_path, content, message):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(content)
    with pytest.raises(ModelFileError, match=message) as caught:
        load_any(bad)
    assert "run code" not in str(caught.value)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty file"),
        (os.urandom(2000), "not a Keras model file"),
    ],
)
def test_keras_files_that_are_not_models_are_named_plainly(tmp_path, content, message):
    bad = tmp_path / "bad.keras"
    bad.write_bytes(content)
    with pytest.raises(ModelFileError, match=message) as caught:
        load_any(bad)
    assert "not found" not in str(caught.value).lower()
