"""Audit issue 19, items 8 (Keras) and 11 (models): hostile or odd model files are refused in
one line that names the file and says what it is, before a framework spends memory or disk."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from digitpad import network
from digitpad.models import ModelFileError, default_model
from digitpad.predictors import load_any

MiB = 2**20


def zeros(size: int) -> bytes:
    return bytes(size)


def keras_zip(path: Path, members: dict[str, bytes], base: Path | None = None) -> Path:
    """A zip archive (deflated) of `members` and the other members of the `.keras` file `base`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        if base is not None:
            with zipfile.ZipFile(base) as source:
                for info in source.infolist():
                    if info.filename not in members:
                        out.writestr(info.filename, source.read(info))
        for name, data in members.items():
            out.writestr(name, data)
    return path


def declare_size(path: Path, member: str, size: int) -> None:
    """Make the archive claim `member` unpacks to `size` bytes (local and central headers)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    local = data.index(b"PK\x03\x04")
    while data[local + 30 : local + 30 + len(name)] != name:
        local = data.index(b"PK\x03\x04", local + 4)
    struct.pack_into("<I", data, local + 22, size)
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, size)
    path.write_bytes(bytes(data))


# --- 8: memory and disk bombs in a .keras file ------------------------------------------------


def test_a_keras_file_declaring_a_1_gib_config_is_refused_by_its_header(tmp_path):
    bomb = keras_zip(
        tmp_path / "bomb.keras", {"config.json": zeros(MiB)}, default_model("keras", "mlp")
    )
    declare_size(bomb, "config.json", 2**30)  # the audit's 1.4 MB file that cost 2.9 GB
    with pytest.raises(ModelFileError, match=r"config\.json unpacks to 1024\.0 MB") as caught:
        load_any(bomb)
    assert str(bomb) in str(caught.value) and "\n" not in str(caught.value)


def test_a_keras_config_of_8_mb_is_refused_before_keras_parses_it(tmp_path):
    base = default_model("keras", "mlp")
    with zipfile.ZipFile(base) as source:
        weights = source.read("model.weights.h5")
    bomb = keras_zip(
        tmp_path / "big-config.keras",
        {"config.json": b" " * (8 * MiB) + b"{}", "model.weights.h5": weights},
    )
    with pytest.raises(ModelFileError, match=r"config\.json unpacks to 8\.0 MB, over the 1 MB"):
        load_any(bomb)


def test_a_working_keras_model_with_huge_assets_is_refused_not_extracted(tmp_path):
    assets = {f"assets/blob{i}.bin": zeros(20 * MiB) for i in range(4)}
    heavy = keras_zip(tmp_path / "heavy.keras", assets, default_model("keras", "mlp"))
    assert heavy.stat().st_size < 1 * MiB
    with pytest.raises(ModelFileError, match=r"the archive unpacks to 80\.\d MB"):
        load_any(heavy)


def test_a_keras_archive_that_unpacks_to_100_times_its_size_is_a_bomb(tmp_path):
    bomb = keras_zip(
        tmp_path / "dense.keras", {"config.json": b"{}", "model.weights.h5": zeros(40 * MiB)}
    )
    with pytest.raises(ModelFileError, match="decompression bomb"):
        load_any(bomb)


def test_the_bundled_keras_models_pass_the_archive_checks():
    for arch in ("mlp", "cnn"):
        assert load_any(default_model("keras", arch)).card.arch == arch


# --- 11: misleading words -------------------------------------------------------------------


def test_a_keras_string_lookup_reading_a_vocabulary_file_is_named_as_such(tmp_path):
    from digitpad.backends.tf_import import keras as load_keras

    keras = load_keras()
    model = keras.Sequential(
        [keras.Input((1,), dtype="string"), keras.layers.StringLookup(vocabulary=["one", "two"])]
    )
    saved = tmp_path / "saved.keras"
    model.save(saved)
    with zipfile.ZipFile(saved) as archive:
        config = json.loads(archive.read("config.json"))
    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2\n")
    config["config"]["layers"][1]["config"]["vocabulary"] = str(secret)  # a file elsewhere
    lookup = keras_zip(
        tmp_path / "lookup.keras", {"config.json": json.dumps(config).encode()}, saved
    )
    with pytest.raises(ModelFileError, match="StringLookup") as caught:
        load_any(lookup)
    message = str(caught.value)
    assert "lambda" not in message.lower() and "vocabulary" in message and str(lookup) in message


def test_a_custom_layer_is_named_as_a_layer_type_digitpad_does_not_load(tmp_path):
    base = default_model("keras", "mlp")
    with zipfile.ZipFile(base) as archive:
        config = json.loads(archive.read("config.json"))
    config["config"]["layers"][1].update(
        class_name="MyLambda", module="evil", registered_name="evil>MyLambda"
    )
    custom = keras_zip(
        tmp_path / "custom.keras", {"config.json": json.dumps(config).encode()}, base
    )
    with pytest.raises(ModelFileError, match="a layer type digitpad does not load \\('MyLambda'"):
        load_any(custom)


def copy_with_card(source: Path, target: Path, **card_changes) -> Path:
    shutil.copy(source, target)
    card = json.loads(source.with_name(source.name + ".json").read_text())
    card.update(card_changes)
    target.with_name(target.name + ".json").write_text(json.dumps(card))
    return target


def test_a_keras_card_claiming_the_wrong_architecture_is_refused(tmp_path):
    lying = copy_with_card(default_model("keras", "cnn"), tmp_path / "lying.keras", arch="mlp")
    with pytest.raises(ModelFileError, match="card says MLP, but the file holds a CNN"):
        load_any(lying)
    honest = copy_with_card(default_model("keras", "cnn"), tmp_path / "honest.keras")
    assert load_any(honest).card.title == "Keras CNN"


def test_a_keras_file_is_told_by_its_layers_not_the_name_it_gives_itself(tmp_path):
    from digitpad.backends import keras_nets
    from digitpad.backends.tf_import import keras as load_keras

    keras = load_keras()
    cnn = keras_nets.build(network.preset("cnn").layers)
    renamed = keras.Sequential([keras.Input((28, 28)), *cnn.layers], name="digitpad_mlp")
    path = tmp_path / "renamed.keras"
    renamed.save(path)
    assert load_any(path).card.arch == "cnn"


def onnx_seven_outputs(path: Path) -> Path:
    """An ONNX model that says it gives 10 scores but really gives 7."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weights = numpy_helper.from_array(np.ones((784, 7), np.float32), "w")
    shape = numpy_helper.from_array(np.array([-1, 784], np.int64), "shape")
    graph = helper.make_graph(
        [
            helper.make_node("Reshape", ["image", "shape"], ["flat"]),
            helper.make_node("MatMul", ["flat", "w"], ["scores"]),
        ],
        "seven",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["n", 28, 28])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["n", 10])],
        [weights, shape],
    )
    onnx.save(
        helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), path
    )
    return path


def test_a_model_giving_the_wrong_number_of_scores_names_its_file(tmp_path):
    seven = onnx_seven_outputs(tmp_path / "seven.onnx")
    with pytest.raises(ModelFileError) as caught:
        load_any(seven)
    assert str(seven) in str(caught.value)


@pytest.mark.parametrize(
    "kind, message", [("folder", "a folder, not a model file"), ("fifo", "not a regular file")]
)
def test_a_folder_or_pipe_given_as_a_model_is_named_as_what_it_is(tmp_path, kind, message):
    for suffix in (".pt", ".keras", ".onnx"):
        odd = tmp_path / f"{kind}{suffix}"
        odd.mkdir() if kind == "folder" else os.mkfifo(odd)
        with pytest.raises(ModelFileError, match=message):
            load_any(odd)


def digitpad(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "digitpad", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_backend_contradicting_the_model_file_is_refused_and_agreeing_is_fine(tmp_path, mnist):
    from PIL import Image

    picture = tmp_path / "seven.png"
    Image.fromarray(255 - mnist.test_x[0]).resize((112, 112)).save(picture)
    model = default_model("torch", "mlp")
    refused = digitpad("predict", "--backend", "keras", "--model", model, picture)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "--backend keras contradicts" in refused.stderr
    agreed = digitpad("predict", "--backend", "torch", "--model", model, picture)
    assert agreed.returncode == 0, agreed.stderr
    assert agreed.stdout.startswith(f"{picture}: 7")
