"""Compare models (issue 22, part 2): the compare view in the real window with the real bundled
models, reading drawings made with mouse events; a damaged model in the user's folder; and the
command line with several --model, run in-process (the frameworks are loaded already)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from digitpad import comparison, models, paths
from digitpad.cli import main as cli
from digitpad.session import ModelSession
from digitpad.ui.main_window import MainWindow
from tests.drawing import redraw
from tests.gui import trace_digit

LOAD_MS = 120_000
TORCH_CNN, KERAS_CNN = models.default_model("torch"), models.default_model("keras")
TORCH_MLP = models.default_model("torch", "mlp")
# MNIST test digit 526, a 3, redrawn at 180 px: the CNNs read 3 (100%), the PyTorch MLP 9 (93%).
ARGUED = 526


def open_compare(qtbot, *paths_: object):
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(900, 640)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.predictor is not None, timeout=LOAD_MS)
    view = window.open_compare()
    for column, path in zip(view.columns, paths_, strict=False):
        column.choose(path)
    while len(view.columns) < len(paths_):
        view.add_column(paths_[len(view.columns)])
    qtbot.waitUntil(lambda: all(c.predictor or c.error for c in view.columns), timeout=LOAD_MS)
    return window, view


def shown(view) -> list[str]:
    return [c.digit.text() for c in view.columns]


def test_pytorch_and_keras_read_the_same_drawing_live(qtbot, mnist):
    window, view = open_compare(qtbot)  # first time: the active model and the other framework's
    assert [c.predictor.path for c in view.columns] == [TORCH_CNN, KERAS_CNN]
    assert [c.model.currentText().split("  ·  ")[0] for c in view.columns] == [
        "PyTorch CNN",
        "Keras CNN",
    ]
    assert shown(view) == ["", ""] and view.columns[0].confidence.text() == "Draw a digit"

    canvas, left = window.canvas, Qt.MouseButton.LeftButton

    def send(kind, y, button, buttons):
        pos = QPointF(canvas.width() / 2, canvas.height() * y)
        QApplication.sendEvent(
            canvas,
            QMouseEvent(
                kind, pos, canvas.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier
            ),
        )

    send(QEvent.Type.MouseButtonPress, 0.15, left, left)
    with qtbot.waitSignal(window.predicted, timeout=5000):
        for y in np.linspace(0.15, 0.85, 20):
            send(QEvent.Type.MouseMove, y, Qt.MouseButton.NoButton, left)
    assert shown(view) == ["1", "1"]  # read while the button is still held
    send(QEvent.Type.MouseButtonRelease, 0.85, left, Qt.MouseButton.NoButton)

    window.canvas.clear()
    trace_digit(window.canvas, mnist.test_x[0])  # a 7
    window.predict_drawing()
    torch_column, keras_column = view.columns
    assert shown(view) == ["7", "7"] == [window.predictionLabel.text()] * 2
    # the model reading the canvas is not asked twice: its column shows the window's reading
    assert np.array_equal(torch_column.bars.probabilities(), window.probabilityBars.probabilities())
    assert not np.array_equal(keras_column.bars.probabilities(), torch_column.bars.probabilities())
    for column in view.columns:
        assert column.time.text().startswith("read in ") and column.time.text().endswith(" ms")
        assert column.confidence.text().endswith("confident")
        assert not column.disagrees and column.status.text() == ""
    assert view.verdict.text() == "Both models read 7"
    assert np.array_equal(view.preview.pixels(), window.previewImage.pixels())  # what they read
    view.grab().save("/tmp/compare-pytorch-keras.png")


def test_the_model_that_reads_otherwise_stands_out(qtbot, mnist, tmp_path):
    picture = tmp_path / "three.png"
    Image.fromarray(redraw(mnist.test_x[ARGUED], 180)).save(picture)
    assert mnist.test_y[ARGUED] == 3
    window, view = open_compare(qtbot, TORCH_CNN, TORCH_MLP)
    assert window.open_image(picture)
    assert shown(view) == ["3", "9"]
    assert [c.disagrees for c in view.columns] == [True, True]  # two that differ: both
    assert view.verdict.text() == "The models disagree: 3 (PyTorch CNN) vs 9 (PyTorch MLP)"
    view.grab().save("/tmp/compare-disagree-2.png")

    view.add_column(KERAS_CNN)
    qtbot.waitUntil(lambda: view.columns[2].predictor is not None, timeout=LOAD_MS)
    assert shown(view) == ["3", "9", "3"]
    assert [c.disagrees for c in view.columns] == [False, True, False]  # the odd one out
    assert view.columns[1].styleSheet() != view.columns[0].styleSheet()
    assert view.verdict.text() == (
        "The models disagree: 3 (PyTorch CNN, Keras CNN) vs 9 (PyTorch MLP)"
    )
    view.grab().save("/tmp/compare-disagree-3.png")

    view.remove_column(view.columns[1])  # the MLP goes: the other two agree
    assert shown(view) == ["3", "3"] and not any(c.disagrees for c in view.columns)
    assert not view.columns[0].remove.isEnabled()  # two is the fewest
    assert view.verdict.text() == "Both models read 3"

    view.columns[1].choose(TORCH_MLP)
    window.commands.number.trigger()  # number mode: the view reads the least certain digit
    assert window.open_image(picture)
    assert window.predictionLabel.text() == "3" and shown(view) == ["3", "9"]
    assert np.array_equal(view.preview.pixels(), window.previewImage.pixels())


def test_a_damaged_model_says_so_in_its_column_and_the_others_read(qtbot, mnist):
    folder = paths.models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    damaged = folder / "damaged_cnn.pt"
    whole = TORCH_CNN.read_bytes()
    damaged.write_bytes(whole[: len(whole) // 2])  # cut short, as by a full disk
    shutil.copy(models.card_path(TORCH_CNN), models.card_path(damaged))
    window, view = open_compare(qtbot, TORCH_CNN, damaged, KERAS_CNN)
    assert view.columns[1].model.findData(str(damaged)) >= 0  # listed as the menu lists it
    trace_digit(window.canvas, mnist.test_x[0])
    window.predict_drawing()
    bad = view.columns[1]
    assert bad.predictor is None and "checksum differs" in bad.error
    assert bad.status.text() == (
        "Could not load: the file does not match its model card "
        "(checksum differs); it is damaged or was replaced"
    )
    assert bad.status.height() < 2 * bad.status.fontMetrics().lineSpacing()  # one line
    assert bad.status.toolTip() == bad.error and str(damaged) in bad.error  # all of it
    assert bad.digit.text() == "" and bad.confidence.text() == "No model"
    assert shown(view) == ["7", "", "7"] and not any(c.disagrees for c in view.columns)
    assert view.verdict.text() == "Both models read 7"
    view.grab().save("/tmp/compare-damaged.png")


def test_the_models_compared_are_remembered(qtbot):
    window, view = open_compare(qtbot, TORCH_MLP, TORCH_CNN)
    window.close()
    _, again = open_compare(qtbot)
    assert [c.path for c in again.columns] == [TORCH_MLP, TORCH_CNN]


def test_who_disagrees():
    assert comparison.outliers([7, 7]) == set()
    assert comparison.outliers([7, 1]) == {0, 1}
    assert comparison.outliers([7, 1, 7]) == {1}
    assert comparison.outliers([7, 1, 2]) == {0, 1, 2}
    assert comparison.outliers([7, 7, 1, 1]) == {0, 1, 2, 3}
    assert comparison.outliers([7, None, 1]) == {0, 2}
    assert comparison.outliers([7, None]) == set()


def test_one_load_serves_every_view_that_asks_and_the_cache_shares_it():
    jobs, loads = [], []

    def load(path, device):
        loads.append(path)
        return object()

    session = ModelSession(lambda work, done, failed: jobs.append((work, done)), load)
    got = []
    for _ in range(2):
        session.fetch(TORCH_CNN, "cpu", got.append, pytest.fail)
    [(work, done)] = jobs  # asked twice, loaded once
    done(work())
    assert loads == [TORCH_CNN] and got[0] is got[1]
    session.fetch(TORCH_CNN, "cpu", got.append, pytest.fail)  # from the cache, at once
    session.select(TORCH_CNN)  # the window choosing it gets the very same copy
    assert len(jobs) == 1 and got[2] is got[0] is session.predictor


def picture(tmp_path, mnist, i: int):
    path = tmp_path / f"test-{i}.png"
    Image.fromarray(redraw(mnist.test_x[i], 180)).save(path)
    return path


def test_predict_with_two_models_prints_each_answer(tmp_path, mnist, capsys):
    seven, argued = picture(tmp_path, mnist, 0), picture(tmp_path, mnist, ARGUED)
    assert (
        cli(
            [
                "predict",
                "--json",
                "--model",
                str(TORCH_CNN),
                "--model",
                str(TORCH_MLP),
                str(seven),
                str(argued),
            ]
        )
        == 0
    )
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["path"] for r in records] == [str(seven), str(argued)]
    assert [r["agree"] for r in records] == [True, False]
    for r in records:
        assert [m["model"] for m in r["models"]] == [str(TORCH_CNN), str(TORCH_MLP)]
        assert [m["title"] for m in r["models"]] == ["PyTorch CNN", "PyTorch MLP"]
        assert all(0 < m["confidence"] <= 1 and m["ms"] > 0 for m in r["models"])
    assert [[m["digit"] for m in r["models"]] for r in records] == [[7, 7], [3, 9]]

    assert cli(["predict", "--model", str(TORCH_CNN), "--model", str(KERAS_CNN), str(argued)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{argued}: PyTorch CNN 3 (") and "; Keras CNN 3 (" in out
    assert "disagree" not in out

    assert cli(["predict", "--json", "--model", str(TORCH_CNN), str(seven)]) == 0  # as before
    [one] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert one.keys() == {"path", "digit", "confidence", "probabilities"}


def test_evaluate_with_two_models_side_by_side(small_mnist_dir, capsys):
    from digitpad.predictors import load_any

    assert (
        cli(
            [
                "evaluate",
                "--json",
                "--data",
                str(small_mnist_dir),
                "--model",
                str(TORCH_CNN),
                "--model",
                str(TORCH_MLP),
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 500 and [m["title"] for m in report["models"]] == [
        "PyTorch CNN",
        "PyTorch MLP",
    ]
    from digitpad.data import load_mnist

    data = load_mnist(small_mnist_dir)
    said = [
        load_any(p).predict(data.test_x.astype(np.float32) / 255).argmax(axis=1)
        for p in (TORCH_CNN, TORCH_MLP)
    ]
    for m, predicted in zip(report["models"], said, strict=True):
        assert m["accuracy"] == pytest.approx((predicted == data.test_y).mean())
    assert report["disagree"] == int((said[0] != said[1]).sum()) > 0
    assert report["all_wrong"] == int(((said[0] != data.test_y) & (said[1] != data.test_y)).sum())

    assert (
        cli(
            [
                "evaluate",
                "--data",
                str(small_mnist_dir),
                "--model",
                str(TORCH_CNN),
                "--model",
                str(TORCH_MLP),
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2 models on 500 test images")
    assert lines[1].split() == ["PyTorch", "CNN", f"{report['models'][0]['accuracy']:.2%}"]
    assert lines[3].startswith(f"they disagree on {report['disagree']} images")


def test_too_many_models_or_a_number_with_several_are_refused(tmp_path, mnist, capsys):
    seven = picture(tmp_path, mnist, 0)
    assert (
        cli(
            [
                "predict",
                "--number",
                "--model",
                str(TORCH_CNN),
                "--model",
                str(TORCH_MLP),
                str(seven),
            ]
        )
        == 2
    )
    assert "--number reads with one model" in capsys.readouterr().err
    five = [a for _ in range(5) for a in ("--model", str(TORCH_MLP))]
    with pytest.raises(SystemExit) as refused:
        cli(["predict", *five, str(seven)])
    assert refused.value.code == 2
    assert "at most 4 are compared at once" in capsys.readouterr().err
