"""Bad input gets a clear message and loses nothing: hostile or odd picture files, empty data,
a destination that could not be saved to (refused before the first batch), a damaged download."""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitpad import data
from digitpad.images import read_image
from digitpad.preprocess import to_mnist
from tests.conftest import write_idx
from tests.drawing import redraw
from tests.test_cli import digitpad


def bomb_png(path: Path, side: int = 50_000) -> Path:
    """A tiny PNG whose header claims side x side pixels (a "decompression bomb")."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1000)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
    return path


def test_a_huge_picture_is_refused_by_its_header_and_the_rest_are_read(tmp_path, mnist):
    bomb = bomb_png(tmp_path / "bomb.png")
    assert bomb.stat().st_size < 2000
    with pytest.raises(OSError, match="larger than the 40 megapixels .*2,500,000,000 pixels"):
        read_image(bomb)
    seven = tmp_path / "seven.png"
    Image.fromarray(redraw(mnist.test_x[0], 180)).save(seven)
    run = digitpad("predict", "--json", bomb, seven)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "bomb.png" in run.stderr and "megapixels" in run.stderr
    assert json.loads(run.stdout)["digit"] == 7


def test_a_16_bit_picture_is_scaled_not_clipped(tmp_path, mnist, torch_predictor):
    seven = redraw(mnist.test_x[0], 180).astype(np.uint16) * 257  # the full 16-bit range
    path = tmp_path / "seven16.png"
    Image.fromarray(seven).save(path)
    assert Image.open(path).mode.startswith("I")
    digit = to_mnist(read_image(path))
    assert digit is not None
    assert torch_predictor.predict(digit[None])[0].argmax() == 7


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_is_not_read(tmp_path):
    pipe = tmp_path / "pipe.png"
    os.mkfifo(pipe)
    run = digitpad("predict", pipe, timeout=60)
    assert run.returncode == 2 and "not a regular file" in run.stderr


def test_training_on_no_images_and_evaluating_on_none_say_so(tmp_path, mnist):
    folder = tmp_path / "empty-mnist"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte.gz", mnist.train_x[:0])
    write_idx(folder / "train-labels-idx1-ubyte.gz", mnist.train_y[:0])
    write_idx(folder / "t10k-images-idx3-ubyte.gz", mnist.test_x[:0])
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", mnist.test_y[:0])
    run = digitpad(
        "train", "--backend", "torch", "--arch", "mlp", "--data", folder, "--out", tmp_path / "m.pt"
    )
    assert run.returncode == 2 and "no images" in run.stderr and "Traceback" not in run.stderr
    run = digitpad("evaluate", "--data", folder)
    assert run.returncode == 2 and "holds no images" in run.stderr
    assert "0.00%" not in run.stdout


@pytest.mark.parametrize(
    "out, message",
    [
        ("folder", "is a folder"),
        ("m.keras", ".keras is for Keras models"),
        ("m.txt", "unknown model file suffix"),
        ("/proc/m.pt", "cannot write there"),  # unwritable even for root
    ],
)
def test_a_bad_destination_is_refused_before_training(tmp_path, small_mnist_dir, out, message):
    (tmp_path / "folder").mkdir()
    run = digitpad(
        "train",
        "--backend",
        "torch",
        "--arch",
        "mlp",
        "--epochs",
        "50",
        "--data",
        small_mnist_dir,
        "--out",
        tmp_path / out,
    )
    assert run.returncode == 2 and message in run.stderr, run.stderr
    assert "epoch 1" not in run.stderr  # refused before the first batch
    assert not (tmp_path / "m.keras").exists()


def test_a_damaged_cached_download_is_fetched_again_and_checked(tmp_path, monkeypatch):
    """Mirrors are local folders here (file:// URLs): the test never touches the network."""
    good = tmp_path / "mirror-good"
    bad = tmp_path / "mirror-bad"
    good.mkdir()
    bad.mkdir()
    for name in data.PUBLISHED_MD5:
        (good / name).write_bytes(b"the published bytes of " + name.encode())
        (bad / name).write_bytes(b"tampered")
    fake_md5 = {name: data._md5(good / name) for name in data.PUBLISHED_MD5}
    monkeypatch.setattr(data, "PUBLISHED_MD5", fake_md5)
    monkeypatch.setattr(data, "load_mnist", lambda folder: folder)
    dest = tmp_path / "cache"
    dest.mkdir()
    cached = dest / "t10k-labels-idx1-ubyte.gz"
    cached.write_bytes(b"half a file")  # a damaged download from an earlier try
    monkeypatch.setattr(data, "MIRRORS", (bad.as_uri() + "/", good.as_uri() + "/"))
    data.download_full_mnist(dest)
    for name in fake_md5:
        assert data._md5(dest / name) == fake_md5[name]
    assert not [p for p in dest.iterdir() if ".partial" in p.name]
    monkeypatch.setattr(data, "MIRRORS", (bad.as_uri() + "/",))
    cached.write_bytes(b"damaged again")
    with pytest.raises(data.DatasetError, match="checksum .* differs from the published"):
        data.download_full_mnist(dest)
