"""Smoke test of the packaged program (`make exe-test`; not part of `make test`: the build takes
minutes). Builds dist/digitpad/ if needed, runs its self-test, then starts its window offscreen
and checks that it stays up without printing errors."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "dist" / "digitpad" / ("digitpad.exe" if sys.platform == "win32" else "digitpad")

pytestmark = pytest.mark.exe


@pytest.fixture(scope="module")
def program() -> Path:
    if not PROGRAM.exists():
        subprocess.run(["make", "exe"], cwd=ROOT, check=True, timeout=3600)
    return PROGRAM


def test_built_program_passes_its_self_test(program, tmp_path):
    env = dict(os.environ, DIGITPAD_HOME=str(tmp_path))
    run = subprocess.run([str(program), "--self-test"], capture_output=True, text=True,
                         timeout=600, env=env, cwd=tmp_path)  # not the repo: no relative paths
    assert run.returncode == 0, run.stdout + run.stderr
    assert "self-test: 6 passed, 0 failed" in run.stdout


def test_built_gui_starts_and_stays_up(program, tmp_path):
    env = dict(os.environ, DIGITPAD_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([str(program)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=tmp_path)
    time.sleep(8)
    alive = proc.poll() is None
    proc.terminate()
    out, err = proc.communicate(timeout=30)
    assert alive, f"the program exited with {proc.returncode}: {out}{err}"
    for bad in ("Traceback", "Error", "error:"):
        assert bad not in err, err
