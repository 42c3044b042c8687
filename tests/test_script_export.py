"""A model written out as its framework's own training script runs on its own: each script (both
frameworks, an MLP and a CNN) is run in a subprocess on a small MNIST slice, imports only its
framework and numpy, and trains to a sensible test accuracy."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from digitpad import models, network
from digitpad.card import ModelCard
from digitpad.script_export import script_for

ROOT = Path(__file__).resolve().parent.parent
STANDARD = {"argparse", "gzip", "math", "struct", "pathlib"}
FRAMEWORK = {"torch": {"torch", "numpy"}, "keras": {"keras", "numpy"}}


def imported(source: str) -> set[str]:
    tree = ast.parse(source)
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    return {name.split(".")[0] for name in names}


# The Keras MLP's script is run by tests/test_layer_editor.py, exported from the window.
@pytest.mark.parametrize(
    "backend, arch", [("torch", "mlp"), ("torch", "fast-cnn"), ("keras", "fast-cnn")]
)
def test_an_exported_script_trains_on_its_own(backend, arch, small_mnist_dir, tmp_path):
    card = ModelCard(
        backend=backend,
        arch=arch,
        config={"optimizer": "adam", "lr": 2e-3},
        network=network.to_json(network.preset(arch).layers),
    )
    script = tmp_path / "train_it.py"
    script.write_text(script_for(card))
    assert imported(script.read_text()) <= STANDARD | FRAMEWORK[backend]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run(
        [sys.executable, str(script), str(small_mnist_dir), "--epochs", "2", "--batch-size", "32"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )  # not the repo: no digitpad
    assert run.returncode == 0, run.stderr[-2000:]
    accuracy = float(re.search(r"test accuracy (\d\.\d+)", run.stdout)[1])
    assert accuracy >= 0.6, run.stdout  # 600 images, 2 epochs: well above chance (0.1)


def test_export_writes_the_script_of_a_bundled_model_and_refuses_another_suffix(tmp_path):
    def export(*args):
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "digitpad",
                "export",
                str(models.default_model("torch", "cnn")),
                "--format",
                "script",
                *args,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
            env={**os.environ, "DIGITPAD_HOME": str(tmp_path)},
        )

    run = export("--out", str(tmp_path / "cnn.py"))
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "cnn.py").read_text()
    assert "EPOCHS = 16" in text and "nn.Conv2d(1, 32, 3" in text  # the bundled CNN's card
    refused = export("--out", str(tmp_path / "cnn.pt"))
    assert refused.returncode == 2 and "a training script is a .py file" in refused.stderr
    assert not (tmp_path / "cnn.pt").exists()
