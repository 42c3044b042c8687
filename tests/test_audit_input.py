"""Hostile and odd input found by the audit (issue 19): a PostScript file named .png must run
nothing, a phone photo is read the way it is shown, a huge speckled number is segmented on a
small picture, and samples that lie about their size or hold nonsense are skipped and named."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitpad import numbers, samples
from digitpad.cli import main
from digitpad.errors import DatasetError
from digitpad.images import FORMATS, READABLE, read_image
from tests.drawing import redraw


def postscript(path: Path, marker: Path) -> Path:
    """A real EPS file (what Pillow hands to Ghostscript) that creates `marker` when run."""
    path.write_text(
        f"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\n"
        f"({marker}) (w) file closefile\nshowpage\n%%EOF\n"
    )
    return path


def test_a_postscript_file_named_png_runs_nothing_and_the_other_pictures_are_read(
    tmp_path, mnist, capsys
):
    marker = tmp_path / "MARKER"
    bad = postscript(tmp_path / "seven.png", marker)
    good = tmp_path / "real-seven.png"
    Image.fromarray(redraw(mnist.test_x[0], 180)).save(good)  # test digit 0 is a 7
    assert main(["predict", "--json", str(bad), str(good)]) == 2
    printed = capsys.readouterr()
    assert json.loads(printed.out)["digit"] == 7
    [message] = printed.err.strip().splitlines()
    assert "seven.png" in message and all(name in message for name in FORMATS)
    assert main(["samples", "add", str(bad), "--label", "7"]) == 2
    assert main(["predict", "--number", str(bad)]) == 2
    assert not marker.exists()
    assert len(samples.load()) == 0


def test_the_window_refuses_a_postscript_file_whether_opened_or_dropped(qtbot, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    from tests.test_window import open_window

    window = open_window(qtbot)
    marker = tmp_path / "MARKER"
    bad = postscript(tmp_path / "photo.jpg", marker)
    assert not window.open_image(bad)
    assert "photo.jpg" in window.statusBar().currentMessage()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(bad))])
    window.dropEvent(
        QDropEvent(
            QPointF(50, 50),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        )
    )
    assert "PNG" in window.statusBar().currentMessage() and not marker.exists()
    assert window.canvas.is_blank()


def test_every_pattern_the_file_dialog_offers_is_a_format_that_is_read(tmp_path, mnist):
    picture = Image.fromarray(redraw(mnist.test_x[0], 100, canvas=120))
    for pattern in READABLE:
        path = tmp_path / pattern.replace("*", "seven")
        picture.save(path)
        assert Image.open(path).format in FORMATS, pattern
        assert read_image(path).shape == (120, 120), pattern


def test_a_phone_photo_is_read_the_way_it_is_shown(tmp_path, mnist, torch_predictor):
    """Phones store a photo as the sensor saw it and say in EXIF how to turn it (6: a quarter
    turn clockwise)."""
    from digitpad.preprocess import to_mnist

    upright = redraw(mnist.test_x[0], 180, canvas=200)[:, :150]  # a 7, taller than wide
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "photo.jpg"
    Image.fromarray(np.rot90(upright, 1).copy()).save(path, exif=exif, quality=95)
    read = read_image(path)
    assert read.shape == upright.shape
    assert torch_predictor.predict(to_mnist(read)[None])[0].argmax() == 7


def test_a_huge_speckled_number_is_segmented_on_a_small_picture(
    tmp_path, mnist, monkeypatch, capsys
):
    limit = numbers.SEGMENT_PIXELS
    side = 3000
    rng = np.random.default_rng(0)
    page = np.where(rng.random((side, side)) < 0.04, 0, 255).astype(np.uint8)  # speckles
    chosen = [int(np.flatnonzero(mnist.test_y == d)[0]) for d in (4, 0, 2)]
    for k, index in enumerate(chosen):
        digit = redraw(mnist.test_x[index], 900, canvas=900, at=(0, 0))
        spot = page[1000:1900, 100 + 950 * k : 1000 + 950 * k]
        np.minimum(spot, digit, out=spot)
    Image.fromarray(page).save(tmp_path / "big.png")
    Image.fromarray(page[::6, ::6].copy()).save(tmp_path / "small.png")
    sizes = []
    real = numbers.components
    monkeypatch.setattr(numbers, "components", lambda ink: sizes.append(ink.size) or real(ink))
    assert (
        main(
            [
                "predict",
                "--number",
                "--json",
                str(tmp_path / "big.png"),
                str(tmp_path / "small.png"),
            ]
        )
        == 0
    )
    big, small = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert big["number"] == small["number"] == "402"
    assert max(sizes) <= limit
    x, y, w, h = big["digits"][1]["box"]  # boxes are in the picture's own pixels
    assert 1000 <= x + w / 2 <= 1900 and 1000 <= y + h / 2 <= 1900


# --- samples -------------------------------------------------------------------------------
def npz(**arrays) -> bytes:
    """A sample file's bytes; an array given as bytes is stored as that raw .npy content."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, value in arrays.items():
            if not isinstance(value, bytes):
                buffer = io.BytesIO()
                np.save(buffer, value, allow_pickle=False)
                value = buffer.getvalue()
            archive.writestr(f"{key}.npy", value)
    return out.getvalue()


def claims(shape: tuple[int, ...]) -> bytes:
    """An .npy whose header claims `shape` (bytes) but holds only 784 bytes."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "|u1", "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue() + bytes(784)


GOOD = np.zeros((28, 28), np.uint8)
BAD = {
    "vector-label": npz(image=GOOD, label=np.array([3, 4])),
    "infinite-label": npz(image=GOOD, label=np.array(np.inf)),
    "string-image": npz(image=np.full((28, 28), "x"), label=np.array(3)),
    "huge-header": npz(image=claims((1_000_000, 1_000_000)), label=np.array(3)),
}


def test_nonsense_samples_are_skipped_and_named_in_list_and_import(tmp_path, capsys):
    folder = samples.samples_dir() / "3"
    folder.mkdir(parents=True)
    for name, data in BAD.items():
        (folder / f"{name}.npz").write_bytes(data)
    (folder / "good.npz").write_bytes(npz(image=GOOD, label=np.array(3, np.uint8)))
    assert main(["samples", "list", "--json"]) == 0
    printed = capsys.readouterr()
    assert json.loads(printed.out)["total"] == 1
    lines = printed.err.strip().splitlines()
    assert len(lines) == len(BAD) and all(any(n in line for line in lines) for n in BAD)
    assert main(["samples", "export", str(tmp_path / "all.zip")]) == 0
    samples.clear()
    capsys.readouterr()
    assert main(["samples", "import", str(tmp_path / "all.zip")]) == 0
    printed = capsys.readouterr()
    assert "imported 1 samples" in printed.out
    lines = printed.err.strip().splitlines()
    assert len(lines) == len(BAD) and all(any(n in line for line in lines) for n in BAD)
    assert len(samples.load()) == 1


def test_a_small_samples_zip_that_unpacks_to_a_lot_is_refused_before_it_is_read(tmp_path):
    inner = io.BytesIO()
    np.savez_compressed(inner, image=np.zeros((8192, 8192), np.uint8), label=np.array(3))
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("3/bomb.npz", inner.getvalue())
        archive.writestr("3/good.npz", npz(image=GOOD, label=np.array(3, np.uint8)))
    assert bomb.stat().st_size < 100_000
    tracemalloc.start()
    try:
        added, skipped = samples.import_file(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert added == 1 and len(skipped) == 1 and "bomb.npz" in skipped[0]
    assert peak < 16 * 2**20  # the 64 MB image was never unpacked


def test_importing_into_a_folder_that_cannot_be_written_fails(tmp_path, capsys):
    archive = tmp_path / "mine.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("3/good.npz", npz(image=GOOD, label=np.array(3, np.uint8)))
    samples.samples_dir().parent.mkdir(parents=True, exist_ok=True)
    samples.samples_dir().write_text("a file where the samples folder should be")
    assert main(["samples", "import", str(archive)]) == 2
    printed = capsys.readouterr()
    assert "imported" not in printed.out
    [message] = printed.err.strip().splitlines()
    assert str(samples.samples_dir()) in message
    with pytest.raises(DatasetError):
        samples.import_file(archive)
