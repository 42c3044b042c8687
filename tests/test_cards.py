"""Model cards are data from disk: each field is checked by type before use, so a hand-edited or
damaged card is refused with a sentence naming the file and the field, and one bad card among
the user's models is left out of the list (and named) instead of stopping the app."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from digitpad import card as cards
from digitpad import models
from digitpad.errors import ModelFileError

ROOT = Path(__file__).resolve().parent.parent


def user_copy(home: Path, name: str = "mine.pt", changes: dict | None = None) -> Path:
    """The bundled PyTorch MLP copied into the user's models folder, its card edited."""
    source = models.default_model("torch", "mlp")
    folder = home / "models"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copyfile(source, target)
    card = json.loads(models.card_path(source).read_text())
    card.update(changes or {})
    models.card_path(target).write_text(json.dumps(card))
    return target


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"test_accuracy": "excellent"}, "test_accuracy"),
        ({"test_accuracy": 1.5}, "test_accuracy"),
        ({"sha256": 12345}, "sha256"),
        ({"config": [1, 2, 3]}, "config"),
        ({"train_size": -4}, "train_size"),
        ({"epochs": True}, "epochs"),
        ({"scores": {"pen drawings": "good"}}, "scores"),
        ({"scores": {"pen drawings": float("nan")}}, "scores"),
        ({"name": ["a"]}, "name"),
        ({"version": 99}, "version"),
        ({"network": "dense:128"}, "network"),
    ],
)
def test_a_card_with_a_wrong_field_is_refused_naming_it(private_home, changes, field):
    path = user_copy(private_home, changes=changes)
    with pytest.raises(ModelFileError) as refused:
        models.read_card(path)
    message = str(refused.value)
    assert str(models.card_path(path)) in message and repr(field) in message
    assert "\n" not in message


def test_a_card_that_is_not_an_object_is_refused(private_home):
    path = user_copy(private_home)
    models.card_path(path).write_text("[1, 2]")
    with pytest.raises(ModelFileError, match="not a JSON object"):
        models.read_card(path)


def test_cards_written_before_the_format_number_still_load():
    for path, card in models.list_models():
        raw = json.loads(models.card_path(path).read_text())
        assert card.version == raw.get("version", 1) == 1
        assert card.summary().startswith(card.title)


def test_a_saved_card_records_its_format(private_home):
    source = models.default_model("torch", "mlp")
    card = models.read_card(source)
    target = private_home / "models" / "saved.pt"
    target.parent.mkdir()
    models.save(target, lambda tmp: shutil.copyfile(source, tmp), card)
    assert json.loads(models.card_path(target).read_text())["version"] == cards.VERSION
    assert models.read_card(target).test_accuracy == card.test_accuracy


def test_a_bad_card_is_left_out_of_the_list_and_named(private_home):
    good = user_copy(private_home, "good.pt", {"name": "good one"})
    bad = user_copy(private_home, "bad.pt", {"test_accuracy": "excellent"})
    skipped: list[tuple[Path, str]] = []
    listed = [path for path, _ in models.list_models(skipped)]
    assert good in listed and bad not in listed
    assert [path for path, _ in skipped] == [bad]
    assert "'test_accuracy'" in skipped[0][1]


def test_the_window_starts_with_a_bad_card_and_names_it(qtbot, private_home):
    from digitpad.ui.main_window import MainWindow

    user_copy(private_home, "mine.pt", {"test_accuracy": "excellent"})
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.predictor is not None, timeout=90_000)
    entries = [a.text() for a in window.choices.menu.actions()]
    assert "mine.pt left out: its model card is not valid" in entries
    assert all(
        "mine.pt" not in window.modelSelector.itemText(i)
        for i in range(window.modelSelector.count())
    )


def test_the_cli_names_a_bad_card_in_one_line(private_home, tmp_path):
    from PIL import Image

    bad = user_copy(private_home, "mine.pt", {"sha256": 7})
    picture = tmp_path / "blank.png"
    Image.new("L", (28, 28)).save(picture)
    run = subprocess.run(
        [sys.executable, "-m", "digitpad", "predict", "--model", str(bad), str(picture)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DIGITPAD_HOME": str(private_home)},
    )
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "'sha256'" in lines[0] and "Traceback" not in run.stderr
