"""Smoke test of the packaged programs (`make exe-test`; not part of `make test`: the builds take
minutes). Builds dist/digitpad/ (GPU build) and dist/digitpad-cpu/ (CPU build) if needed, runs
each one's self-test, then starts its window offscreen and checks that it paints, loads its
model and closes quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_self_test import assert_every_check_passed

ROOT = Path(__file__).resolve().parent.parent
SUFFIX = ".exe" if sys.platform == "win32" else ""
BUILDS = {"digitpad": "exe", "digitpad-cpu": "exe-cpu"}  # folder in dist/ -> make target
NOISE = ("absl::InitializeLog", "cudart_stub", "cuInit", "Traceback", "Error", "error:")

pytestmark = pytest.mark.exe


@pytest.fixture(scope="module", params=list(BUILDS))
def program(request) -> Path:
    path = ROOT / "dist" / request.param / f"digitpad{SUFFIX}"
    if not path.exists():
        subprocess.run(["make", BUILDS[request.param]], cwd=ROOT, check=True, timeout=3600)
    return path


def test_built_program_passes_its_self_test_quietly(program, tmp_path):
    env = dict(os.environ, DIGITPAD_HOME=str(tmp_path))
    run = subprocess.run(
        [str(program), "--self-test"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=tmp_path,
    )  # not the repo: no relative paths
    assert run.returncode == 0, run.stdout + run.stderr
    assert_every_check_passed(run.stdout)
    for bad in NOISE:  # loading TensorFlow prints none of its start-up lines
        assert bad not in run.stderr, run.stderr


def test_the_cpu_build_carries_no_cuda_or_triton():
    folder = ROOT / "dist" / "digitpad-cpu"
    if not folder.exists():
        subprocess.run(["make", BUILDS["digitpad-cpu"]], cwd=ROOT, check=True, timeout=3600)
    names = [p.name.lower() for p in folder.rglob("*")]
    assert not [n for n in names if n.startswith(("libcudnn", "libcublas", "libnccl"))]
    assert "triton" not in names


def test_built_gui_paints_loads_its_model_and_closes_quietly(program, tmp_path):
    """The start-up probe closes the window once the model is ready: the program must paint,
    load, and then exit by itself with status 0."""
    env = dict(
        os.environ,
        DIGITPAD_HOME=str(tmp_path),
        QT_QPA_PLATFORM="offscreen",
        DIGITPAD_STARTUP_PROBE="1",
    )
    run = subprocess.run(
        [str(program)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )
    out, err = run.stdout, run.stderr
    assert run.returncode == 0, f"the program exited with {run.returncode}: {out}{err}"
    assert "first-paint" in out and "model-ready" in out
    for bad in NOISE:
        assert bad not in err, err
