"""Models that travel: every export format written, loaded back by its own runtime and compared
with the original; refused formats; a damaged export deleted; `.onnx` files read by the ONNX
Runtime backend, and hostile or foreign ones refused or handled."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from digitpad import export, models
from digitpad.cli import main
from digitpad.errors import ModelFileError, Unsupported
from digitpad.predictors import load_any

ROUND_TRIPS = [
    ("torch", "mlp", "onnx"),
    ("torch", "mlp", "torchscript"),
    ("keras", "mlp", "onnx"),
    ("keras", "mlp", "tflite"),
    ("keras", "mlp", "savedmodel"),
    ("torch", "cnn", "onnx"),
]


@pytest.mark.parametrize(("backend", "arch", "fmt"), ROUND_TRIPS)
def test_every_format_round_trips_with_the_same_answers(tmp_path, mnist, backend, arch, fmt):
    source = models.default_model(backend, arch)
    report = export.export(source, fmt, export.default_out(source, fmt, tmp_path))
    assert report.path.exists() and report.images == export.CHECK_IMAGES
    assert report.same_top1 == report.images and report.max_difference <= export.TOLERANCE
    card = json.loads(models.card_path(report.path).read_text())
    assert card["input"]["shape"] == ["batch", 28, 28] and card["input"]["range"] == [0.0, 1.0]
    assert card["verification"]["same_top1"] == export.CHECK_IMAGES
    assert card["exported_from"]["sha256"] == models.read_card(source).sha256
    assert not list(tmp_path.glob(".*"))  # nothing staged left behind
    if fmt == "onnx":  # ... and the app itself reads it, like the original
        images = mnist.test_x[:200].astype(np.float32) / 255
        onnx_model = load_any(report.path)
        original = load_any(source)
        np.testing.assert_allclose(onnx_model.predict(images), original.predict(images), atol=1e-4)
        meta = {p.key: p.value for p in onnx.load(str(report.path)).metadata_props}
        assert json.loads(meta["digitpad.input"])["dtype"] == "float32"


def test_a_format_the_backend_cannot_produce_is_refused_before_any_work(tmp_path):
    with pytest.raises(Unsupported, match="possible: onnx, torchscript"):
        export.export(models.default_model("torch", "mlp"), "tflite", tmp_path / "m.tflite")
    with pytest.raises(Unsupported, match="cannot be exported"):
        export.export(models.default_model("keras", "mlp"), "torchscript", tmp_path / "m.ts")
    assert list(tmp_path.iterdir()) == []


def test_an_export_that_differs_from_the_model_is_deleted(tmp_path):
    def damage(path):  # the first weight matrix scaled: still a valid model, wrong answers
        graph = onnx.load(str(path))
        big = max(graph.graph.initializer, key=lambda t: len(t.raw_data))
        values = onnx.numpy_helper.to_array(big) * 3.0
        big.CopyFrom(onnx.numpy_helper.from_array(values, big.name))
        onnx.save(graph, str(path))

    out = tmp_path / "mlp.onnx"
    with pytest.raises(export.ExportFailed, match="did not behave like the model"):
        export.export(models.default_model("torch", "mlp"), "onnx", out, tamper=damage)
    assert list(tmp_path.iterdir()) == []


def test_cli_export_writes_json_and_refuses_impossible_formats(tmp_path, capsys):
    source = models.default_model("torch", "mlp")
    assert (
        main(["export", str(source), "--format", "torchscript", "--out", str(tmp_path), "--json"])
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["path"] == str(tmp_path / "torch_mlp.torchscript")
    assert result["same_top1"] == 1000 and result["max_difference"] <= 1e-4
    assert main(["export", str(source), "--format", "savedmodel"]) == 2
    assert "cannot be exported to TensorFlow SavedModel" in capsys.readouterr().err


def tiny_graph(path, shape=(28, 28), outputs=10, external=False, op="MatMul"):
    """A foreign network: flatten, one matrix (raw scores, no softmax)."""
    rng = np.random.default_rng(0)
    size = int(np.prod(shape))
    weights = onnx.numpy_helper.from_array(rng.normal(size=(size, outputs)).astype(np.float32), "w")
    if external:
        weights.ClearField("raw_data")
        weights.data_location = TensorProto.EXTERNAL
        for key, value in (("location", "../../../../etc/passwd"), ("offset", "0")):
            entry = weights.external_data.add()
            entry.key, entry.value = key, value
    nodes = [
        helper.make_node("Flatten", ["image"], ["flat"]),
        helper.make_node(op, ["flat", "w"], ["scores"]),
    ]
    graph = helper.make_graph(
        nodes,
        "foreign",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", *shape])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", outputs])],
        [weights],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path.write_bytes(model.SerializeToString())
    return path


def test_a_foreign_onnx_network_is_read_with_its_scores_made_probabilities(tmp_path, mnist):
    predictor = load_any(tiny_graph(tmp_path / "foreign.onnx"))
    probs = predictor.predict(mnist.test_x[:20].astype(np.float32) / 255)
    assert probs.shape == (20, 10) and (probs >= 0).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert predictor.explain(mnist.test_x[0].astype(np.float32) / 255, 3).shape == (28, 28)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_bytes(b"\x08\x07garbage, not protobuf" * 40), "not a valid ONNX model"),
        (lambda p: tiny_graph(p, external=True), "refused: the model reads weights from other"),
        (lambda p: tiny_graph(p, shape=(32, 32)), "not 28x28 images to 10 digits"),
        (lambda p: tiny_graph(p, outputs=7), "gives 7 outputs"),
        (lambda p: tiny_graph(p, op="NoSuchOperator"), "not a valid ONNX model"),
    ],
)
def test_broken_or_hostile_onnx_files_are_refused_with_a_message(tmp_path, make, message):
    path = tmp_path / "bad.onnx"
    make(path)
    with pytest.raises(ModelFileError, match=message):
        load_any(path)


def test_the_onnx_backend_needs_neither_torch_nor_tensorflow(tmp_path):
    code = (
        "import sys; from digitpad.predictors import load_predictor; import numpy as np; "
        "p = load_predictor('onnx'); p.predict(np.zeros((1, 28, 28), np.float32)); "
        "print(sorted(m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_onnx_model_reads_in_the_window_and_a_model_exports_from_it(qtbot, tmp_path):
    from tests.gui import line
    from tests.test_window import LOAD_MS, draw_and_wait, open_window

    window = open_window(qtbot)
    onnx_model = models.default_model("onnx")
    listed = [window.modelSelector.itemData(i) for i in range(window.modelSelector.count())]
    assert str(onnx_model) in listed
    with qtbot.waitSignal(window.modelChanged, timeout=LOAD_MS):
        window.select_model(onnx_model)
    assert window.predictor.backend == "onnx" and "ONNX Runtime" in window.status.model.toolTip()
    canvas = window.canvas
    assert draw_and_wait(qtbot, window, lambda: line(canvas, (0.5, 0.15), (0.5, 0.85))) == "1"

    assert "Export model" in [
        a.text().replace("&", "").rstrip("…") for a in window.commands.model_menu.actions()
    ]
    said = []
    window.exporter.run(onnx_model, "torchscript", tmp_path / "x.torchscript", said.append)
    assert said == [
        "Could not export: ONNX Runtime models cannot be exported to TorchScript (possible: none)"
    ]
    source = models.default_model("torch", "mlp")
    window.exporter.run(source, "onnx", tmp_path / "mine.onnx", said.append)
    assert said[-1].startswith("Exporting to ONNX")
    qtbot.waitUntil(lambda: said[-1].startswith(("Exported", "Could not")), timeout=LOAD_MS)
    assert said[-1].startswith("Exported ONNX") and "same answer for 1,000" in said[-1]
    assert (tmp_path / "mine.onnx").is_file()


# An install without the [tensorflow] extra: Python's own way to make a module unimportable.
WITHOUT_TENSORFLOW = (
    "import sys; sys.modules['tensorflow'] = None; "
    "from digitpad.cli import main; sys.exit(main(sys.argv[1:]))"
)


def test_without_tensorflow_keras_models_export_to_onnx_and_name_the_extra_for_tflite(tmp_path):
    """Keras on PyTorch exports its twin through torch (tf2onnx would need TensorFlow); the
    TensorFlow formats say which extra to install instead of failing inside a converter."""
    source = str(models.default_model("keras", "mlp"))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", WITHOUT_TENSORFLOW, "export", source, *args],
            capture_output=True,
            text=True,
            timeout=600,
        )

    done = run("--format", "onnx", "--out", str(tmp_path / "mlp.onnx"), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["same_top1"] == report["images"] == export.CHECK_IMAGES
    refused = run("--format", "tflite", "--out", str(tmp_path / "mlp.tflite"))
    assert refused.returncode == 2 and "pip install 'digitpad[tensorflow]'" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "mlp.tflite").exists()
