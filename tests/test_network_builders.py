"""Both frameworks build any description layer for layer the same: every layer's output shape is
what the plan computed, the weights have the same shapes in the same order and move between the
two exactly, and the weight counts are the frameworks' own. Model files carry the description;
files saved before it existed still load."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from digitpad import models, network
from digitpad.backends import keras_nets, torch_nets
from digitpad.backends.keras_torch import keras_to_torch, torch_to_keras
from digitpad.predictors import load_any

SPECS = [
    "dense:32:tanh,dropout:0.2,dense:16:gelu",
    "conv:8:3:none,bn,relu,pool:2,conv:4:5:2,avgpool:2,flatten,dense:12:none,bn,sigmoid",
    "conv:6:4:2,gap",
    "conv:5:3:valid,maxpool:3,dense:7",
    "mlp-dropout",
    "fast-cnn",
]


def layers_of(spec: str) -> tuple:
    return network.preset(spec).layers if spec in network.PRESETS else tuple(network.parse(spec))


def torch_shapes(net, x) -> list[tuple]:
    """The output shape of every module, channels last like the plan's."""
    shapes = []
    for module in net:
        x = module(x)
        shapes.append(tuple(x.shape[2:]) + (x.shape[1],) if x.ndim == 4 else tuple(x.shape[1:]))
    return shapes


@pytest.mark.parametrize("spec", SPECS)
def test_both_builders_make_the_planned_network_and_weights_move_exactly(spec):
    layers = layers_of(spec)
    steps = network.plan(layers)
    keras_net, torch_net = keras_nets.build(layers), torch_nets.build(layers).eval()
    planned = {s.output_shape for s in steps}
    assert {tuple(layer.output.shape[1:]) for layer in keras_net.layers} >= planned
    assert set(torch_shapes(torch_net, torch.zeros(2, 28, 28))) >= planned
    kw, tw = keras_net.get_weights(), torch_to_keras(torch_net)
    assert [w.shape for w in kw] == [w.shape for w in tw]
    params, _ = network.totals(steps)
    buffers = sum(
        b.numel()
        for name, b in torch_net.named_buffers()
        if not name.endswith("num_batches_tracked")
    )
    assert params == keras_net.count_params()
    assert params == sum(p.numel() for p in torch_net.parameters()) + buffers
    keras_to_torch(kw, torch_net)  # Keras's random weights into the PyTorch twin
    images = np.random.default_rng(0).random((16, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(
        torch_nets.predict_proba(torch_net, images),
        keras_nets.predict_proba(keras_net, images),
        atol=2e-6,
    )
    assert all(np.array_equal(a, b) for a, b in zip(torch_to_keras(torch_net), kw, strict=True))
    assert network.presets.same_as(keras_nets.describe(keras_net)) == network.presets.same_as(
        layers
    )


def test_a_file_saved_before_descriptions_loads_as_its_preset():
    blob = torch.load(models.default_model("torch", "cnn"), weights_only=True)
    assert blob["format"] == torch_nets.OLD_FORMAT and blob["arch"] == "cnn"  # the bundled one
    predictor = load_any(models.default_model("torch", "cnn"))
    assert predictor.card.arch == "cnn" and predictor.card.title == "PyTorch CNN"
    assert network.from_json(predictor.card.network) == network.preset("cnn").layers
    assert predictor.card.params == network.totals(network.plan(network.preset("cnn").layers))[0]


@pytest.mark.parametrize("backend", ["torch", "keras"])
def test_a_custom_network_is_saved_with_its_description_and_rebuilt_from_it(backend, tmp_path):
    layers = layers_of(SPECS[1])
    net = keras_nets.build(layers) if backend == "keras" else torch_nets.build(layers)
    path = tmp_path / f"custom{'.keras' if backend == 'keras' else '.pt'}"
    (keras_nets if backend == "keras" else torch_nets).save(net, layers, str(path))
    predictor = load_any(path)
    assert predictor.card.arch == network.CUSTOM
    assert network.presets.same_as(
        network.from_json(predictor.card.network)
    ) == network.presets.same_as(layers)
    images = np.random.default_rng(1).random((4, 28, 28), dtype=np.float32)
    expected = (
        keras_nets.predict_proba(net, images)
        if backend == "keras"
        else torch_nets.predict_proba(net.eval(), images)
    )
    np.testing.assert_allclose(predictor.predict(images), expected, atol=1e-6)


def digitpad(*args, capsys) -> tuple[int, str, str]:
    """A `digitpad` command run in this process (frameworks are loaded already): its exit
    status, stdout and stderr."""
    from digitpad.cli import build_parser

    parsed = build_parser().parse_args([str(a) for a in args])
    status = parsed.run(parsed)
    out, err = capsys.readouterr()
    return status, out, err


def test_summary_json_gives_every_layer_and_the_totals(capsys):
    spec = "conv:8:3,pool:2,dense:32,dropout:0.3"
    status, out, err = digitpad("summary", "--layers", spec, "--json", capsys=capsys)
    assert status == 0, err
    got = json.loads(out)
    steps = network.plan(network.parse(spec))
    assert [row["output_shape"] for row in got["layers"]] == [list(s.output_shape) for s in steps]
    assert (
        got["params"]
        == sum(row["params"] for row in got["layers"])
        == 8 * 9 + 8 + (14 * 14 * 8 * 32 + 32) + 32 * 10 + 10
    )
    assert got["flops"] == 28 * 28 * 8 * 9 + 14 * 14 * 8 * 32 + 32 * 10


@pytest.mark.parametrize(
    "args, said",
    [
        (["summary", "--layers", "conv:8:3,lstm:4"], "--layers: layer 2 ('lstm:4'): not a layer"),
        (
            ["summary", "--layers", "dense:64,conv:8:3"],
            "layer 2 (conv 8 3x3 relu): works on images",
        ),
        (["train", "--backend", "torch", "--layers", "dense:0"], "units must be between 1"),
    ],
)
def test_a_bad_spec_is_refused_in_one_line_with_exit_2(capsys, args, said):
    status, _, err = digitpad(*args, capsys=capsys)
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], err


def test_train_with_layers_saves_the_description_in_the_card(small_mnist_dir, tmp_path, capsys):
    out = tmp_path / "mine.keras"
    status, _, err = digitpad(
        "train",
        "--backend",
        "keras",
        "--layers",
        "dense:48,dropout:0.2,dense:24",
        "--epochs",
        "1",
        "--data",
        small_mnist_dir,
        "--out",
        out,
        capsys=capsys,
    )
    assert status == 0, err
    card = json.loads(models.card_path(out).read_text())
    assert card["arch"] == "custom" and card["params"] == 784 * 48 + 48 + 48 * 24 + 24 + 250
    assert network.from_json(card["network"]) == tuple(
        network.parse("dense:48,dropout:0.2,dense:24")
    )
    status, summary, _ = digitpad("summary", out, "--json", capsys=capsys)
    assert status == 0 and json.loads(summary)["params"] == card["params"]
