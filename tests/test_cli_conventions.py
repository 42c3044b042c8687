"""What people expect of a command line (issue 21): --version, help for every option with its
default and an example per command, --json on every command that reports something, a
question before `samples clear`, no third-party warnings, and `digitpad FILE`."""

from __future__ import annotations

import argparse
import json
import os
import pty
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from digitpad import __version__, models, samples
from digitpad.cli import build_parser, main
from tests.drawing import redraw

ROOT = Path(__file__).resolve().parent.parent


def parsers(parser: argparse.ArgumentParser, name: str = "digitpad"):
    """Every parser of the command tree, with the words that reach it."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for word, child in action.choices.items():
                yield from parsers(child, f"{name} {word}")


def test_version_comes_from_the_package(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"digitpad {__version__}\n"


def test_every_option_has_help_its_default_and_every_command_an_example():
    tree = list(parsers(build_parser()))
    assert len(tree) > 10  # the commands and the samples actions
    for name, parser in tree:
        text = parser.format_help()
        assert "example" in parser.epilog, f"{name}: no example"
        assert f"  {name}" in parser.epilog or name == "digitpad", f"{name}: example of another"
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            label = "/".join(action.option_strings) or action.dest
            assert action.help and action.help.strip(), f"{name} {label}: no help"
            shown = (
                action.option_strings
                and action.default not in (None, argparse.SUPPRESS)
                and not isinstance(action.default, bool)
            )
            if shown and "default" not in action.help:  # as wrapped, ignoring the line breaks
                assert f"(default:{action.default})" in "".join(text.split()), (
                    f"{name} {label}: default {action.default} not shown"
                )


def run(args: list, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_devices_json(capsys):
    code, out, _ = run(["devices", "--json"], capsys)
    found = json.loads(out)
    assert code == 0
    for name in ("torch", "keras"):
        assert found[name]["installed"] is True
        assert "cpu" in [d["id"] for d in found[name]["devices"]]


def test_train_json_is_one_document_with_the_saved_model(small_mnist_dir, tmp_path, capsys):
    out = tmp_path / "tiny.pt"
    code, printed, err = run(
        [
            "train",
            "--backend",
            "torch",
            "--arch",
            "mlp",
            "--epochs",
            "1",
            "--data",
            small_mnist_dir,
            "--out",
            out,
            "--json",
        ],
        capsys,
    )
    assert code == 0, err
    report = json.loads(printed)
    assert report["path"] == str(out) and out.is_file()
    assert json.loads(Path(report["card"]).read_text())["backend"] == "torch"
    assert report["test_images"] == 500 and report["train_images"] == 540
    assert len(report["history"]) == 1 and 0 < report["test_accuracy"] <= 1
    assert "epoch 1/1" in err and "Warning" not in err  # progress stays on stderr


@pytest.fixture
def twelve_samples(tmp_path, mnist) -> Path:
    folder = tmp_path / "samples"
    for i in range(12):
        samples.add(mnist.test_x[i], int(mnist.test_y[i]), folder=folder)
    return folder


def test_personalise_json(twelve_samples, tmp_path, capsys):
    out = tmp_path / "mine.pt"
    code, printed, err = run(
        [
            "personalise",
            "--model",
            models.default_model("torch", "mlp"),
            "--samples",
            twelve_samples,
            "--out",
            out,
            "--json",
        ],
        capsys,
    )
    assert code == 0, err
    report = json.loads(printed)
    assert report["path"] == str(out) and out.is_file() and report["samples"] == 12
    assert report["title"].endswith("personal") and 0 < report["mnist_accuracy"] <= 1


def test_samples_actions_json(tmp_path, mnist, capsys):
    seven = tmp_path / "seven.png"
    Image.fromarray(redraw(mnist.test_x[0], 180)).save(seven)  # test digit 0 is a 7
    code, out, _ = run(["samples", "add", seven, seven, "--label", "7", "--json"], capsys)
    added = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [a["label"] for a in added] == [7, 7]
    assert all(Path(a["sample"]).is_file() for a in added)
    code, out, _ = run(["samples", "list", "--json"], capsys)
    assert json.loads(out)["total"] == 2 and json.loads(out)["counts"]["7"] == 2
    code, out, _ = run(["samples", "export", tmp_path / "all.zip", "--json"], capsys)
    assert json.loads(out) == {"path": str(tmp_path / "all.zip"), "exported": 2}
    code, out, _ = run(["samples", "clear", "--yes", "--json"], capsys)
    assert json.loads(out) == {"deleted": 2, "kept": 0} and not samples.files()
    code, out, _ = run(["samples", "import", tmp_path / "all.zip", "--json"], capsys)
    assert json.loads(out)["imported"] == 2 and len(samples.files()) == 2
    code, out, _ = run(["samples", "list"], capsys)
    assert out.startswith("2 samples in ") and "7: 2" in out


def test_samples_clear_without_a_terminal_needs_yes(mnist, capsys):
    samples.add(mnist.test_x[0], 7)
    code, out, err = run(["samples", "clear"], capsys)  # pytest's stdin is no terminal
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "--yes" in err and "1 samples" in err
    assert len(samples.files()) == 1


@pytest.mark.parametrize(("answer", "left"), [("n", 1), ("", 1), ("y", 0)])
def test_samples_clear_asks_on_a_terminal(mnist, private_home, answer, left):
    samples.add(mnist.test_x[0], 7)
    controller, terminal = pty.openpty()
    os.write(controller, f"{answer}\n".encode())  # typed before the question: the tty keeps it
    try:
        done = subprocess.run(
            [sys.executable, "-m", "digitpad", "samples", "clear"],
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env=dict(os.environ, DIGITPAD_HOME=str(private_home)),
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 0, done.stderr
    assert "Delete all 1 samples" in done.stderr and "[y/N]" in done.stderr
    assert len(samples.files()) == left
    assert done.stdout == ("deleted 1 samples\n" if left == 0 else "kept 1 samples\n")


# Both exports in one process, in a plain install's shape: without torchvision (the dev install
# has it for a benchmark), whose absence torch's ONNX exporter announced once per operator.
EXPORTS = """
    import sys
    sys.modules["torchvision"] = None  # find_spec("torchvision") is None, as in a plain install
    from digitpad.cli import main
    out = sys.argv[1]
    codes = [main(["export", model, "--format", "onnx", "--out", out]) for model in sys.argv[2:]]
    sys.exit(max(codes))
"""


def test_export_runs_print_no_third_party_warnings(tmp_path, private_home):
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(EXPORTS),
            str(tmp_path),
            str(models.default_model("torch", "mlp")),
            str(models.default_model("keras", "mlp")),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env=dict(os.environ, DIGITPAD_HOME=str(private_home)),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Exported ONNX") == 2
    assert done.stderr == ""


def test_a_picture_that_is_not_there_is_refused_in_one_line(tmp_path, capsys):
    missing = tmp_path / "nothing.png"
    code, out, err = run([missing], capsys)
    assert code == 2 and out == ""
    assert err == f"digitpad: {missing}: no such file\n"
    code, _, err = run(["predcit"], capsys)  # a mistyped command
    assert code == 2 and "predcit: no such file (nor a command: gui, predict" in err


# Starts the real app as `digitpad PICTURE` does and, once the model is ready, prints what the
# window reads and how it names itself, then closes it.
OPEN_PICTURE = """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])

    def start():
        from digitpad.ui.main_window import MainWindow

        window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
        # every message shown: a slow model load can outlast the message's few seconds
        said = [window.statusBar().currentMessage()]
        window.statusBar().messageChanged.connect(said.append)

        def ready():
            print("reading", window.predictionLabel.text())
            print("status", next((m for m in said if m.startswith("Opened")), ""))
            print("version", app.applicationVersion())
            print("desktop", QGuiApplication.desktopFileName(), flush=True)
            window.close()

        window.modelChanged.connect(ready)

    QTimer.singleShot(0, start)
    from digitpad.cli import main
    main(sys.argv[1:])
"""


def test_digitpad_picture_opens_the_window_reading_it(tmp_path, mnist, private_home):
    seven = tmp_path / "seven.png"
    Image.fromarray(redraw(mnist.test_x[0], 180)).save(seven)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(OPEN_PICTURE), str(seven)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", DIGITPAD_HOME=str(private_home)),
    )
    assert done.returncode == 0, done.stderr
    said = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    assert said["reading"] == "7"
    assert said["status"] == "Opened seven.png"
    assert said["version"] == __version__ and said["desktop"] == "digitpad"


def test_the_desktop_entry_offers_the_formats_the_app_reads(tmp_path):
    from PIL import Image as Pillow

    from digitpad.images import FORMATS

    Pillow.init()
    entry = (ROOT / "packaging" / "linux" / "digitpad.desktop.in").read_text()
    fields = dict(line.split("=", 1) for line in entry.splitlines() if "=" in line)
    assert fields["MimeType"].rstrip(";").split(";") == [Pillow.MIME[f] for f in FORMATS]
    assert fields["Exec"].endswith(" %f")  # one picture per window: `digitpad FILE`
    # The install script writes it with this folder's path
    home = tmp_path / "home"
    subprocess.run(
        ["sh", ROOT / "packaging" / "linux" / "install-desktop-entry.sh"],
        check=True,
        capture_output=True,
        env=dict(os.environ, XDG_DATA_HOME=str(home)),
    )
    written = (home / "applications" / "digitpad.desktop").read_text()
    assert f'Exec="{ROOT / "packaging" / "linux"}/digitpad" %f' in written
    assert "MimeType=image/png;" in written
