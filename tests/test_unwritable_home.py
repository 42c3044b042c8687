"""A data folder that cannot be written (here a plain file where the folder should be, which
stops root too) costs the log file, never the one-line messages: no tracebacks on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def digitpad(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "digitpad", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DIGITPAD_HOME": str(home)},
    )


def unwritable(tmp_path: Path, how: str) -> Path:
    home = tmp_path / "home"
    if how == "home is a file":
        home.write_text("not a folder")
    else:
        (home / "logs" / "digitpad.log").mkdir(parents=True)
    return home


@pytest.mark.parametrize(
    "how, args, said",
    [
        ("home is a file", ["predict", "missing.png"], "missing.png: no such file"),
        (
            "log file is a folder",
            ["predict", "--model", "missing.pt", "missing.png"],
            "missing.pt: no such model file",
        ),
    ],
)
def test_failures_are_one_line_when_the_log_cannot_be_written(tmp_path, how, args, said):
    run = digitpad(unwritable(tmp_path, how), *args)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [f"digitpad: {said}"], run.stderr
