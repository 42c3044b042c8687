"""Inside the network (issue 22, part 1): every layer's output through both backends for any
description, the `activations` command, and View > Inside the network in the real window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from digitpad import models, network
from digitpad.backends import get, keras_nets, torch_nets
from digitpad.cli import main
from digitpad.layer_outputs import FOLDED, OUTPUT, groups
from digitpad.layer_pictures import (
    WHITE,
    colours,
    map_layout,
    pack,
    picture,
    render,
    strip_layout,
)
from digitpad.network.summary import rows
from digitpad.predictors import load_any, load_predictor
from digitpad.ui import settings
from tests.drawing import redraw
from tests.gui import line
from tests.test_window import open_window

# A network of everything the inside view must fold, place and show: a strided "same"
# convolution, batch norm and a separate activation, a valid 5x5 one, average pooling, dropout,
# global average pooling and a tanh dense layer.
CUSTOM = "conv:8:3:2:none,bn,relu,conv:12:5:1:valid,avgpool:2,dropout:0.1,gap,dense:16:tanh"


def digit(mnist, index: int = 0) -> np.ndarray:
    return mnist.test_x[index].astype(np.float32) / 255


def check_layers(predictor, layers, image) -> list:
    """The outputs cover the plan's rows in order, one shown layer per computing row, each of
    its plan row's shape; the last is what `predict` gives."""
    steps = network.plan(layers)
    found = predictor.activations(image)
    assert [i for out in found for i in out.steps] == list(range(len(steps)))
    for out in found:
        assert out.shape == steps[out.steps[-1]].output_shape == out.array.shape
        assert out.array.dtype == np.float32 and np.isfinite(out.array).all()
        assert all(isinstance(steps[i].layer, FOLDED) for i in out.steps[1:])
    assert found[-1].kind == OUTPUT
    np.testing.assert_allclose(found[-1].array, predictor.predict(image[None])[0], atol=1e-6)
    assert predictor.activations_missing() == ""
    return found


@pytest.mark.parametrize("spec", ["mlp", CUSTOM])
def test_both_backends_give_every_layer_of_the_same_network_alike(spec, mnist, tmp_path):
    """An untrained network saved by PyTorch and, with the same weights, by Keras: both read
    back through their backends give the same output at every layer."""
    layers = network.preset(spec).layers if spec == "mlp" else tuple(network.parse(spec))
    net = torch_nets.build(layers)
    get("torch").save(net, layers, tmp_path / "net.pt")
    keras_nets.save(net, layers, str(tmp_path / "net.keras"))
    image = digit(mnist)
    torch_layers = check_layers(load_any(tmp_path / "net.pt"), layers, image)
    keras_layers = check_layers(load_any(tmp_path / "net.keras"), layers, image)
    assert [o.name for o in torch_layers] == [o.name for o in keras_layers]
    for a, b in zip(torch_layers, keras_layers, strict=True):
        np.testing.assert_allclose(a.array, b.array, atol=1e-4, err_msg=a.name)
    if spec == CUSTOM:  # conv + bn + relu is one layer, dropout folds into the pool
        assert [o.kind for o in torch_layers] == [
            "conv",
            "conv",
            "pool",
            "globalavgpool",
            "dense",
            OUTPUT,
        ]
        assert torch_layers[0].name == "conv 8 3x3 stride 2 + batch norm + relu"
        assert torch_layers[0].relu and not torch_layers[4].relu


@pytest.mark.parametrize("backend", ["torch", "keras"])
@pytest.mark.parametrize("arch", ["cnn", "mlp"])
def test_the_bundled_models_layers_match_their_summary(backend, arch, mnist):
    predictor = load_predictor(backend, models.default_model(backend, arch))
    layers = network.from_json(predictor.card.network)
    found = check_layers(predictor, layers, digit(mnist))
    summary = rows(layers)["layers"]
    assert [list(o.shape) for o in found] == [summary[o.steps[-1]]["output_shape"] for o in found]
    assert int(found[-1].array.argmax()) == int(mnist.test_y[0])
    filters = predictor.first_filters()
    assert (filters.shape == (32, 3, 3)) if arch == "cnn" else filters is None


def test_keras_without_tensorflow_reads_the_layers_through_its_pytorch_twin(mnist):
    from digitpad.backends.keras_backend import BACKEND as ON_TENSORFLOW
    from digitpad.backends.keras_on_torch import BACKEND as ON_TORCH

    path = models.default_model("keras", "cnn")
    on_tf = ON_TENSORFLOW.load(path, models.read_card(path))
    on_torch = ON_TORCH.load(path, models.read_card(path))
    image = digit(mnist, 3)
    for a, b in zip(on_tf.activations(image), on_torch.activations(image), strict=True):
        assert a.name == b.name and a.shape == b.shape
        np.testing.assert_allclose(a.array, b.array, atol=1e-4, err_msg=a.name)
    np.testing.assert_allclose(on_tf.first_filters(), on_torch.first_filters(), atol=1e-6)


def test_an_onnx_model_gives_its_output_and_says_why_only_that(mnist):
    predictor = load_predictor("onnx")
    image = digit(mnist)
    [out] = predictor.activations(image)
    assert out.kind == OUTPUT and out.shape == (10,)
    np.testing.assert_allclose(out.array, predictor.predict(image[None])[0])
    assert "ONNX" in predictor.activations_missing() and predictor.first_filters() is None


def test_footprints_place_every_map_over_the_input():
    """Where a map's cells lie in the 28x28 input, through strides, valid convs and pools."""
    found = groups(tuple(network.parse(CUSTOM)))
    assert found[0].footprint == (1.5, 2.0)  # stride 2, "same" pads 0 before and 1 after
    assert found[1].footprint == (5.5, 2.0)  # a valid 5x5 loses 2 cells each side
    assert found[2].footprint == (6.5, 4.0)  # the 2x2 pool
    assert found[3].footprint is None  # flat from there
    cnn = groups(network.preset("cnn").layers)
    assert [g.footprint for g in cnn[:6]] == [(0.5, 1.0)] * 2 + [(1.0, 2.0)] * 3 + [(2.0, 4.0)]


def test_tile_grids_know_what_lies_under_each_pixel():
    """Each tile shows its map enlarged, pixel for pixel, where the layout says it is."""
    maps = np.random.default_rng(0).random((14, 14, 64), dtype=np.float32)
    grid = map_layout(maps.shape, width=930, max_rows=3)
    assert grid.shown == grid.total == 64 and grid.columns * grid.rows >= 64
    (th, tw), zoom = grid.tile, grid.zoom[0]
    assert grid.at(tw + 2 + 3 * zoom, 5 * zoom) == (1, 5, 3)  # 2nd tile, map pixel (5, 3)
    assert grid.at(tw, 0) is None  # the gap between tiles
    drawn = render(maps, grid)
    assert drawn.shape == grid.size == (grid.rows * (th + 2), grid.columns * (tw + 2))
    colour = colours(maps[5, 3, 1], float(maps.max()))
    assert (drawn[5 * zoom : 6 * zoom, tw + 2 + 3 * zoom : tw + 2 + 4 * zoom] == colour).all()
    assert drawn[0, tw] == pack(WHITE)  # the gap is the background
    other = maps[::-1, ::-1, ::-1].copy()  # the next reading, drawn over the last picture
    assert np.array_equal(render(other, grid, into=drawn.copy()), render(other, grid))
    narrow = map_layout(maps.shape, width=200, max_rows=2)
    assert narrow.shown < 64 and narrow.tile[0] >= 24  # the first that fit, not tiny
    units = strip_layout(128, width=640)
    assert units.shown == 128 and units.at(5, 3)[0] == 1
    assert colours(np.float32(0), 1.0) == pack((0, 0, 4))  # zero is black (almost)
    assert picture(maps).shape == (8 * 58 - 2, 8 * 58 - 2, 3)  # 64 maps of 14 at 56 px
    assert picture(np.zeros((10,), np.float32)).shape == (22, 10 * 24 - 1, 3)


def run_cli(args: list, capsys) -> tuple[int, dict]:
    code = main([str(a) for a in args])
    out = capsys.readouterr().out
    return code, json.loads(out) if code == 0 else {}


@pytest.mark.parametrize("backend", ["torch", "keras"])
def test_the_activations_command_prints_every_layer_and_writes_their_pictures(
    backend, mnist, tmp_path, capsys
):
    seven = tmp_path / "seven.png"
    Image.fromarray(redraw(mnist.test_x[0], 200)).save(seven)
    code, report = run_cli(
        ["activations", seven, "--backend", backend, "--json", "--out", tmp_path / "maps"], capsys
    )
    assert code == 0 and report["digit"] == 7 and report["missing"] is None
    layers = network.preset("cnn").layers
    shown = groups(layers)
    assert [r["shape"] for r in report["layers"]] == [list(g.shape) for g in shown]
    assert [r["name"] for r in report["layers"]] == [g.name for g in shown]
    first = report["layers"][0]
    assert first["min"] == 0 and 0 < first["zeros"] < 1 and first["mean"] < first["max"]
    code, read = run_cli(["predict", seven, "--backend", backend, "--json"], capsys)
    np.testing.assert_allclose(report["probabilities"], read["probabilities"], atol=1e-4)
    assert report["layers"][-1]["max"] == pytest.approx(max(read["probabilities"]), abs=1e-4)
    pictures = [Image.open(p) for p in report["pictures"]]
    assert len(pictures) == len(shown) and pictures[0].size[0] > 28 * 5  # a grid of 32 maps


def test_the_activations_command_on_an_onnx_model_says_what_is_missing(mnist, tmp_path, capsys):
    seven = tmp_path / "seven.png"
    Image.fromarray(redraw(mnist.test_x[0], 200)).save(seven)
    code, report = run_cli(
        ["activations", seven, "--model", models.default_model("onnx", "cnn"), "--json"], capsys
    )
    assert code == 0 and [r["name"] for r in report["layers"]] == ["output (probabilities)"]
    assert "ONNX" in report["missing"]
    code = main(["activations", str(tmp_path / "nothing.png")])
    assert code == 2 and "nothing.png" in capsys.readouterr().err


def shown_tiles(view) -> list:
    return [row for row in view.rows if row.isVisible() and row.grid is not None]


def test_the_view_shows_the_cnns_maps_live_and_is_remembered(qtbot):
    window = open_window(qtbot, (900, 640))
    assert not window.commands.inside.isChecked()
    window.commands.inside.trigger()
    view = window.inside
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.note.text() == "Draw a digit")
    assert not view.outputs
    line(window.canvas, (0.5, 0.15), (0.5, 0.85))
    qtbot.waitUntil(lambda: len(view.outputs) == 9)
    first = shown_tiles(view)[0]
    assert first.grid.total == 32 and first.grid.shown == 32 and first.height() > 60
    assert "28 × 28 × 32" in first.heading()
    before = [o.array.copy() for o in view.outputs]
    np.testing.assert_allclose(
        view.outputs[-1].array, window.probabilityBars.probabilities(), atol=1e-5
    )
    line(window.canvas, (0.3, 0.2), (0.7, 0.2))  # the drawing changes: so does every layer
    qtbot.waitUntil(lambda: not np.array_equal(view.outputs[0].array, before[0]))
    assert all(not np.array_equal(o.array, b) for o, b in zip(view.outputs, before, strict=True))

    zoom = first.grid.zoom[0]
    inside = QPoint(first.grid.tile[1] + 2 + 10 * zoom, first._heading + 12 * zoom)
    tip = first.tip_at(inside)
    value = view.outputs[0].array[12, 10, 1]
    assert tip.startswith("conv 32 3x3 + batch norm + relu\nmap 1 of 32, at (12, 10): ")
    assert f"{value:.3f}" in tip
    hover = QHelpEvent(QEvent.Type.ToolTip, inside, first.mapToGlobal(inside))
    QApplication.sendEvent(first, hover)  # what Qt sends when the pointer rests there
    assert QToolTip.text() == tip
    digit = int(window.predictionLabel.text())
    assert view.caption.text().startswith(f"The input (28 × 28), read as {digit} (")
    assert not view.overlay.showing_map()
    qtbot.mouseClick(first, Qt.MouseButton.LeftButton, pos=inside)
    assert view.overlay.showing_map() and "map 1 of 32" in view.picked.text()

    view.filters.setChecked(True)
    assert view.filter_row.isVisible() and view.filter_row.grid.total == 32
    assert settings.get("view/insideFilters")

    window.close()  # which closes the view with it (checked with the real app below)
    view.close()
    assert settings.get("view/insideNetwork")
    again = open_window(qtbot, (900, 640))
    assert again.commands.inside.isChecked()
    qtbot.waitUntil(lambda: again.inside is not None and again.inside.isVisible())
    again.inside.close()  # its own close button: unticked, and remembered
    assert not again.commands.inside.isChecked() and not settings.get("view/insideNetwork")


def test_the_view_follows_the_model_and_costs_nothing_hidden(qtbot):
    window = open_window(qtbot, (900, 640))
    window.commands.inside.trigger()
    view = window.inside
    line(window.canvas, (0.5, 0.15), (0.5, 0.85))
    qtbot.waitUntil(lambda: len(view.outputs) == 9)
    mlp = models.default_model("torch", "mlp")
    window.select_model(mlp)
    qtbot.waitUntil(lambda: len(view.outputs) == 4)  # flatten, dense 128, dense 64, output
    assert [row.grid.total for row in shown_tiles(view)] == [128, 64]
    assert not view.filters.isEnabled() and "dense" in view.picked.text()
    onnx = models.default_model("onnx", "cnn")
    window.select_model(onnx)
    qtbot.waitUntil(lambda: len(view.outputs) == 1)
    assert view.note.isVisible() and "ONNX Runtime" in view.note.text()

    window.commands.inside.trigger()  # hidden: the readings go on, the layers are not read
    assert not view.isVisible()
    shown = view.outputs
    with qtbot.waitSignal(window.predicted):
        line(window.canvas, (0.3, 0.5), (0.7, 0.5))
    QApplication.processEvents()  # any update it had scheduled would run now
    assert view.outputs is shown


# The real app (the `digitpad` command), started with the view remembered as shown, quit as
# Ctrl+Q does once the view is up: quitting closes the view with the main window.
QUIT_WITH_THE_VIEW = """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])

    def start():
        from digitpad.ui.main_window import MainWindow

        window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
        if window.inside is not None and window.inside.isVisible():
            print("shown", flush=True)
            window.commands.quit.trigger()
        else:
            QTimer.singleShot(20, start)

    QTimer.singleShot(0, start)
    from digitpad.cli import main
    main([])
"""


def test_the_view_is_still_remembered_after_the_app_quits(private_home):
    settings_file = private_home / "settings.ini"
    settings_file.write_text("[view]\ninsideNetwork=true\n")
    root = Path(__file__).resolve().parent.parent
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        DIGITPAD_HOME=str(private_home),
        PYTHONPATH=str(root),
    )
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(QUIT_WITH_THE_VIEW)], cwd=root,
                          env=env, capture_output=True, text=True, timeout=240)  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith("shown"), done.stdout + done.stderr
    assert "insideNetwork=true" in settings_file.read_text()
