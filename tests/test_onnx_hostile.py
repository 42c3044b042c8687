"""Hostile ONNX files, built with onnx's own helpers: external data hidden anywhere in the graph
(a Constant's attribute, a branch of an If, a Loop's body, nested, sparse tensors, functions) is
refused before ONNX Runtime could read a file beside it; a Loop of 1e15 turns is stopped at the
load and refused, in the CLI and in the window, whose previous model keeps reading; a tensor of
1e12 values is refused in one line, whether the graph declares it or only computes it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from onnx.numpy_helper import from_array
from PIL import Image

from digitpad import models
from digitpad.cli import main
from digitpad.errors import ModelFileError
from digitpad.predictors import load_any

FLOAT, INT64, BOOL = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL


def value(name, kind=FLOAT, shape=None):
    return helper.make_tensor_value_info(name, kind, shape)


def digit_model(nodes, initializers=(), sparse=(), functions=(), opsets=()) -> onnx.ModelProto:
    """A graph from (batch, 28, 28) images to (batch, 10) scores around the given nodes."""
    graph = helper.make_graph(
        nodes,
        "hostile",
        [value("image", FLOAT, ["batch", 28, 28])],
        [value("scores", FLOAT, ["batch", 10])],
        list(initializers),
        sparse_initializer=list(sparse),
    )
    model = helper.make_model(
        graph, functions=list(functions), opset_imports=[helper.make_opsetid("", 17), *opsets]
    )
    model.ir_version = 8
    return model


def save(model: onnx.ModelProto, path):
    path.write_bytes(model.SerializeToString())
    return path


def outside(tensor: TensorProto, location: str = "secret.bin") -> TensorProto:
    """The tensor's values to be read from `location`, as ONNX external data says."""
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", location
    return tensor


def secret_weights(name="w") -> TensorProto:
    return outside(from_array(np.zeros((784, 10), np.float32), name))


def reads(weights: str) -> list:
    """Flatten the image and score it with the matrix `weights`."""
    return [
        helper.make_node("Flatten", ["image"], ["flat"]),
        helper.make_node("MatMul", ["flat", weights], ["scores"]),
    ]


def constant(name, tensor=None, **attribute):
    return helper.make_node("Constant", [], [name], **({"value": tensor} if tensor else attribute))


def branch(nodes, output):
    return helper.make_graph(nodes, "branch", [], [value(output, FLOAT, [784, 10])])


def if_true(then_nodes, then_output, level=0):
    """An If whose taken branch gives `then_output` as "wt" (or "wt1" one level down...)."""
    zeros = constant(f"zero{level}", from_array(np.zeros((784, 10), np.float32)))
    out = f"wt{level or ''}"
    return [
        constant(f"yes{level}", from_array(np.array(True))),
        helper.make_node(
            "If",
            [f"yes{level}"],
            [out],
            then_branch=branch(then_nodes, then_output),
            else_branch=branch([zeros], f"zero{level}"),
        ),
    ]


def sparse_secret() -> onnx.SparseTensorProto:
    values = outside(from_array(np.zeros(784, np.float32), "w"))
    indices = from_array(np.arange(784, dtype=np.int64) * 10 + 7, "si")
    return helper.make_sparse_tensor(values, indices, [784, 10])


def in_loop_body():
    """A Loop of one turn whose body adds the secret to the carried matrix, inside an If."""
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["go"], ["go_on"]),
            constant("w", secret_weights()),
            helper.make_node("Add", ["acc", "w"], ["acc_out"]),
        ],
        "body",
        [value("turn", INT64, []), value("go", BOOL, []), value("acc", FLOAT, [784, 10])],
        [value("go_on", BOOL, []), value("acc_out", FLOAT, [784, 10])],
    )
    loop = [
        constant("once", from_array(np.array(1, np.int64))),
        constant("go0", from_array(np.array(True))),
        constant("start", from_array(np.zeros((784, 10), np.float32))),
        helper.make_node("Loop", ["once", "go0", "start"], ["summed"], body=body),
    ]
    return digit_model(if_true(loop, "summed") + reads("wt"))


def in_function():
    body = helper.make_function(
        "digitpad.test",
        "Secret",
        [],
        ["w"],
        [constant("w", secret_weights())],
        [helper.make_opsetid("", 17)],
    )
    return digit_model(
        [helper.make_node("Secret", [], ["w"], domain="digitpad.test"), *reads("w")],
        functions=[body],
        opsets=[helper.make_opsetid("digitpad.test", 1)],
    )


def in_tensors_list():
    flatten = helper.make_node("Flatten", ["image"], ["flat"])
    flatten.attribute.append(helper.make_attribute("extra", [secret_weights()]))
    plain = from_array(np.zeros((784, 10), np.float32), "w")
    return digit_model([flatten, helper.make_node("MatMul", ["flat", "w"], ["scores"])], [plain])


HIDING_PLACES = {
    "initializer": lambda: digit_model(reads("w"), [secret_weights()]),
    "Constant attribute": lambda: digit_model([constant("w", secret_weights()), *reads("w")]),
    "Constant sparse attribute": lambda: digit_model(
        [constant("w", sparse_value=sparse_secret()), *reads("w")]
    ),
    "sparse initializer": lambda: digit_model(reads("w"), sparse=[sparse_secret()]),
    "If branch": lambda: digit_model(if_true([constant("w", secret_weights())], "w") + reads("wt")),
    "If in If branch": lambda: digit_model(
        if_true(if_true([constant("w", secret_weights())], "w", level=1), "wt1") + reads("wt")
    ),
    "Loop body in If branch": in_loop_body,
    "function body": in_function,
    "tensors list attribute": in_tensors_list,
}


@pytest.fixture
def secret(tmp_path, monkeypatch):
    """A secret.bin in the working directory whose weights would make every answer a 7."""
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    weights = np.zeros((784, 10), np.float32)
    weights[:, 7] = 1.0
    (workdir / "secret.bin").write_bytes(weights.tobytes())
    monkeypatch.chdir(workdir)
    return workdir / "secret.bin"


@pytest.mark.parametrize("place", HIDING_PLACES)
def test_external_data_anywhere_in_the_graph_is_refused(tmp_path, secret, place):
    path = save(HIDING_PLACES[place](), tmp_path / "hostile.onnx")
    with pytest.raises(ModelFileError, match="external data") as refused:
        load_any(path)
    message = str(refused.value)
    assert message.startswith(str(path)) and "\n" not in message


def predict(*args) -> int:
    """`digitpad predict ARGS...` in this process: its exit status."""
    try:
        return main(["predict", *map(str, args)])
    except SystemExit as done:
        return done.code


def seven_png(tmp_path, mnist):
    picture = tmp_path / "seven.png"
    Image.fromarray(255 - mnist.test_x[0]).save(picture)  # test digit 0 is a 7
    return picture


def test_predict_never_answers_from_a_secret_beside_it(tmp_path, secret, mnist, capsys):
    model = save(HIDING_PLACES["If branch"](), tmp_path / "hostile.onnx")
    assert predict("--json", "--model", model, seven_png(tmp_path, mnist)) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "external data" in err


def endless_loop(body_nodes, go_on: str, carried: str) -> onnx.ModelProto:
    """Scores from a Loop of 1e15 turns that carries them through `body_nodes`."""
    body = helper.make_graph(
        body_nodes,
        "body",
        [value("turn", INT64, []), value("go", BOOL, []), value("x", FLOAT, None)],
        [value(go_on, BOOL, []), value(carried, FLOAT, None)],
    )
    weights = from_array(np.ones((784, 10), np.float32), "w")
    return digit_model(
        [
            helper.make_node("Flatten", ["image"], ["flat"]),
            helper.make_node("MatMul", ["flat", "w"], ["s0"]),
            constant("turns", from_array(np.array(10**15, np.int64))),
            constant("go0", from_array(np.array(True))),
            helper.make_node("Loop", ["turns", "go0", "s0"], ["scores"], body=body),
        ],
        [weights],
    )


def stoppable_loop():
    return endless_loop(
        [
            helper.make_node("Identity", ["go"], ["go_on"]),
            helper.make_node("Identity", ["x"], ["x_on"]),
        ],
        "go_on",
        "x_on",
    )


def folded_loop():
    """ONNX Runtime folds this body to nothing, and then never looks at its stop flag."""
    return endless_loop(
        [
            constant("yes", from_array(np.array(True))),
            helper.make_node("Not", ["yes"], ["no"]),
            helper.make_node("Not", ["no"], ["go_on"]),
        ],
        "go_on",
        "x",
    )


def test_an_empty_loop_body_is_refused_before_it_runs(tmp_path):
    model = endless_loop([constant("go_on", from_array(np.array(True)))], "go_on", "x")
    with pytest.raises(ModelFileError, match="Loop"):
        load_any(save(model, tmp_path / "empty-loop.onnx"))


def test_predict_refuses_a_model_whose_first_inference_never_ends(tmp_path, mnist):
    """The limit holds even where ONNX Runtime cannot stop the run: the command ends with one
    line (the stuck run is left to the exiting process)."""
    model = save(folded_loop(), tmp_path / "loop.onnx")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "digitpad",
            "predict",
            "--model",
            str(model),
            str(seven_png(tmp_path, mnist)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "first inference" in run.stderr, run.stderr


def test_the_window_keeps_its_model_when_a_loading_one_never_ends(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QLabel

    from tests.gui import line
    from tests.test_window import LOAD_MS, draw_and_wait, open_window

    monkeypatch.setattr("digitpad.backends.onnx_checks.FIRST_INFERENCE_SECONDS", 0.5)
    window = open_window(qtbot)
    reader = models.default_model("onnx")
    with qtbot.waitSignal(window.modelChanged, timeout=LOAD_MS):
        window.select_model(reader)
    hostile = save(stoppable_loop(), tmp_path / "loop.onnx")
    with qtbot.waitSignal(window.modelChanged, timeout=LOAD_MS):
        window.select_model(hostile)
    shown = window.findChild(QLabel, "modelStatus").text()
    assert shown.startswith(f"Could not load: {hostile}") and "first inference" in shown
    assert window.status.model.toolTip().count("ONNX Runtime") == 1
    assert window.predictor.path == reader and window.session.active == reader
    canvas = window.canvas
    assert draw_and_wait(qtbot, window, lambda: line(canvas, (0.5, 0.15), (0.5, 0.85))) == "1"


def huge_constant(shape_nodes) -> onnx.ModelProto:
    """Scores plus the sum of zeros of a shape that `shape_nodes` compute as "shape"."""
    weights = from_array(np.ones((784, 10), np.float32), "w")
    return digit_model(
        [
            *shape_nodes,
            helper.make_node(
                "ConstantOfShape", ["shape"], ["big"], value=from_array(np.zeros(1, np.float32))
            ),
            helper.make_node("ReduceSum", ["big"], ["nothing"]),
            helper.make_node("Flatten", ["image"], ["flat"]),
            helper.make_node("MatMul", ["flat", "w"], ["s0"]),
            helper.make_node("Add", ["s0", "nothing"], ["scores"]),
        ],
        [weights],
    )


HUGE = {  # how the shape is made: what the message says
    "declared": (
        [constant("shape", from_array(np.array([10**12], np.int64)))],
        "'big' would hold 1,000,000,000,000 values",
    ),
    "computed from the image": (
        [  # no shape inference sees this one: it fails at the first run
            helper.make_node("ReduceSum", ["image"], ["ink"], keepdims=0),
            constant("lots", from_array(np.array(1e13, np.float32))),
            helper.make_node("Add", ["ink", "lots"], ["count"]),
            helper.make_node("Cast", ["count"], ["count64"], to=INT64),
            constant("one", from_array(np.array([1], np.int64))),
            helper.make_node("Reshape", ["count64", "one"], ["shape"]),
        ],
        "bad_alloc",
    ),
}


@pytest.mark.parametrize("how", HUGE)
def test_a_huge_constant_of_shape_is_refused_in_one_line(tmp_path, mnist, capsys, how):
    shape_nodes, words = HUGE[how]
    model = save(huge_constant(shape_nodes), tmp_path / "huge.onnx")
    assert predict("--model", model, seven_png(tmp_path, mnist)) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and str(model) in err, err
    assert words in err and "Traceback" not in err
