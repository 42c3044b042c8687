"""The `digitpad` command on real files, run as a user would run it."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests.drawing import pen, redraw


def digitpad(*args, timeout: int = 300, **kw):
    return subprocess.run(
        [sys.executable, "-m", "digitpad", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,
    )


def test_predict_json_reads_files_and_reports_bad_ones(tmp_path, mnist):
    seven = tmp_path / "seven.png"
    Image.fromarray(redraw(mnist.test_x[0], 180)).save(seven)  # test digit 0 is a 7
    rgba = tmp_path / "two-transparent.png"
    sheet = np.zeros((300, 300, 4), np.uint8)
    sheet[..., 3] = 255 - redraw(mnist.test_x[1], 200, canvas=300)  # a 2 on a clear sheet
    Image.fromarray(sheet).save(rgba)
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((100, 100), 255, np.uint8)).save(blank)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    run = digitpad("predict", "--json", seven, broken, rgba, blank)
    assert run.returncode == 2
    assert "broken.png" in run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["path"] for r in records] == [str(seven), str(rgba), str(blank)]
    assert records[0]["digit"] == 7 and records[1]["digit"] == 2
    assert records[2]["digit"] is None
    for r in records[:2]:
        assert len(r["probabilities"]) == 10
        assert abs(sum(r["probabilities"]) - 1) < 0.01
        assert r["confidence"] == max(r["probabilities"])


def test_predict_with_keras_backend_plain_output(tmp_path):
    one = tmp_path / "one.png"
    Image.fromarray(pen([[(150, 40), (150, 260)]], 10, canvas=300)).save(one)
    run = digitpad("predict", "--backend", "keras", one)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"{one}: 1 (")
    # quiet: none of TensorFlow's start-up lines (absl notice, no CUDA driver, cuInit)
    assert run.stderr == "", run.stderr


def test_evaluate_json_on_a_data_folder(small_mnist_dir):
    run = digitpad("evaluate", "--json", "--data", small_mnist_dir)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["n"] == 500
    confusion = np.array(report["confusion"])
    assert confusion.sum() == 500
    assert report["accuracy"] == np.trace(confusion) / 500 >= 0.98


def test_evaluate_missing_data_is_a_clear_error(tmp_path):
    run = digitpad("evaluate", "--data", tmp_path / "nothing")
    assert run.returncode == 2
    assert "nothing: no such data folder" in run.stderr


def test_train_saves_model_and_card(small_mnist_dir, tmp_path):
    out = tmp_path / "tiny.pt"
    run = digitpad(
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
    )
    assert run.returncode == 0, run.stderr
    assert "test accuracy" in run.stdout and "epoch 1/1" in run.stderr
    card = json.loads((tmp_path / "tiny.pt.json").read_text())
    assert card["train_size"] == 540 and card["backend"] == "torch"
    assert card["dataset"].startswith("MNIST from")


READ_EVENTS = """
import json, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
events = EventAccumulator(sys.argv[1])
events.Reload()
print(json.dumps({tag: [[e.step, e.value] for e in events.Scalars(tag)]
                  for tag in events.Tags()["scalars"]}))
"""


def test_train_logs_the_run_for_tensorboard(small_mnist_dir, tmp_path):
    logs = tmp_path / "runs"
    run = digitpad(
        "train",
        "--backend",
        "keras",
        "--arch",
        "mlp",
        "--epochs",
        "2",
        "--data",
        small_mnist_dir,
        "--out",
        tmp_path / "m.keras",
        "--tensorboard",
        logs,
    )
    assert run.returncode == 0, run.stderr
    (folder,) = list(logs.iterdir())  # one folder per run
    assert folder.name.endswith("_keras_mlp")
    assert json.loads((folder / "config.json").read_text())["epochs"] == 2
    # Read back by TensorBoard's own reader (in a process of its own: it imports TensorFlow)
    read = subprocess.run(
        [sys.executable, "-c", READ_EVENTS, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    scalars = json.loads(read.stdout.strip().splitlines()[-1])
    assert len(scalars["batch/loss"]) == 2 * 5  # 540 images in batches of 128
    assert [step for step, _ in scalars["epoch/accuracy"]] == [1, 2]
    card = json.loads((tmp_path / "m.keras.json").read_text())
    assert scalars["test/accuracy"][0][1] == pytest.approx(card["test_accuracy"], abs=1e-6)


def test_train_refuses_bad_values_and_devices(small_mnist_dir, tmp_path):
    run = digitpad("train", "--backend", "torch", "--lr", "-1", "--data", small_mnist_dir)
    assert run.returncode == 2 and "learning rate" in run.stderr
    run = digitpad(
        "train",
        "--backend",
        "torch",
        "--device",
        "cuda:3",
        "--data",
        small_mnist_dir,
        "--out",
        tmp_path / "x.pt",
    )
    assert run.returncode == 2 and "cuda:3" in run.stderr
    assert not (tmp_path / "x.pt").exists()


def test_devices_lists_cpu_for_both_backends():
    run = digitpad("devices")
    assert run.returncode == 0
    assert run.stdout.count("cpu") >= 2
    assert "PyTorch:" in run.stdout and "Keras" in run.stdout
