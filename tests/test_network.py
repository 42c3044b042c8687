"""The network description: its text form, its stored form, and the checks that refuse a network
that cannot be built, each with what is wrong and where. No framework is needed for any of it."""

from __future__ import annotations

import pytest

from digitpad import network
from digitpad.network.layers import Conv, Dense, Dropout, Flatten, Pool


def test_the_text_form_reads_the_tutorials_networks():
    assert network.parse("dense:256,dropout:0.2,dense:64") == [Dense(256), Dropout(0.2), Dense(64)]
    assert network.parse("conv:32:3, pool:2, conv:64:5:2:valid:tanh, flatten, dense:128") == [
        Conv(32, 3),
        Pool(2),
        Conv(64, 5, 2, "valid", "tanh"),
        Flatten(),
        Dense(128),
    ]
    assert network.parse("avgpool:2")[0] == Pool(2, "avg")


@pytest.mark.parametrize("name", list(network.PRESETS))
def test_every_preset_goes_through_text_and_storage_unchanged(name):
    layers = network.preset(name).layers
    assert tuple(network.parse(network.format_layers(layers))) == layers
    assert network.from_json(network.to_json(layers)) == layers
    assert network.name_of(layers) == name


def test_the_tutorial_mlp_is_784_128_64_10():
    steps = network.plan(network.preset("mlp").layers)
    assert [s.output_shape for s in steps] == [(784,), (128,), (64,), (10,)]
    assert network.totals(steps) == (
        784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10,
        784 * 128 + 128 * 64 + 64 * 10,
    )
    assert steps[0].implied and steps[-1].implied and not steps[1].implied


def test_shapes_weights_and_multiply_adds_of_a_small_cnn():
    steps = network.plan(network.parse("conv:8:3:valid,pool:2,conv:4:3:2,bn,relu"))
    assert [s.output_shape for s in steps] == [
        (26, 26, 8),
        (13, 13, 8),
        (7, 7, 4),
        (7, 7, 4),
        (7, 7, 4),
        (196,),
        (10,),
    ]
    conv1, _, conv2, norm, *_ = steps
    assert (conv1.params, conv1.flops) == (3 * 3 * 8 + 8, 26 * 26 * 3 * 3 * 8)
    assert conv2.bias  # its relu comes before the batch norm, so it keeps its bias
    assert norm.params == 4 * 4


def test_a_conv_into_a_batch_norm_has_no_bias():
    conv, *_ = network.plan(network.parse("conv:8:3:none,bn,relu"))
    assert not conv.bias and conv.params == 3 * 3 * 8


@pytest.mark.parametrize(
    "spec, said",
    [
        ("dense:128,conv:32:3", "layer 2 (conv 32 3x3 relu): works on images"),
        ("flatten,pool:2", "layer 2 (max pool 2x2): works on images"),
        ("pool:4,pool:4,pool:4", "layer 3 (max pool 4x4): pooling the 1x1 image"),
        ("dense:0", "layer 1 (dense 0 relu): units must be between 1"),
        ("dropout:1.0", "layer 1 (dropout 1): rate must be at least 0 and below 1"),
        ("dropout:-0.1", "rate must be at least 0 and below 1"),
        ("conv:8:29:valid", "kernel must be between 1 and 28"),
        (
            "conv:8:7:valid,conv:8:7:valid,conv:8:7:valid,conv:8:7:valid,conv:8:7:valid",
            "layer 5 (conv 8 7x7 valid relu): a 7x7 kernel without padding does not fit the 4x4",
        ),
        (",".join(["relu"] * 51), "51 layers; at most 50"),
        ("dense:8192,dense:4096", "weights; at most 20,000,000"),
    ],
)
def test_a_network_that_cannot_be_built_is_refused_saying_where(spec, said):
    with pytest.raises(network.DescriptionError) as refused:
        network.plan(network.parse(spec))
    assert said in str(refused.value)


@pytest.mark.parametrize(
    "spec, said",
    [
        ("", "no layers given"),
        ("dense:128,,dense:64", "layer 2: empty"),
        ("dense:lots", "layer 1 ('dense:lots'): units must be a whole number"),
        ("dense:64:softmax", "expected one of relu, tanh"),
        ("conv:32:3:wavy", "unknown setting 'wavy'"),
        ("lstm:64", "layer 1 ('lstm:64'): not a layer this form knows"),
        ("dropout:half", "layer 1 ('dropout:half')"),
    ],
)
def test_a_wrong_text_form_names_the_piece(spec, said):
    with pytest.raises(network.DescriptionError, match=None) as refused:
        network.parse(spec)
    assert said in str(refused.value)


@pytest.mark.parametrize(
    "stored, said",
    [
        ({"layer": "dense"}, "a list of layers"),
        ([{"layer": "dense", "units": "many"}], "layer 1: dense units must be a whole number"),
        ([{"layer": "dense", "units": 8, "colour": "red"}], "dense has no setting 'colour'"),
        ([{"layer": "conv"}], "layer 1: conv needs its filters"),
        ([{"layer": "magic"}], "unknown layer 'magic'"),
        ([{"units": 3}], "not a layer"),
        ([{"layer": "dropout", "rate": True}], "dropout rate must be a number"),
        ([{"layer": "dense", "units": 8}, {"layer": "conv", "filters": 4}], "works on images"),
    ],
)
def test_a_stored_description_is_checked_before_anything_builds_it(stored, said):
    with pytest.raises(network.DescriptionError) as refused:
        network.from_json(stored)
    assert said in str(refused.value)
