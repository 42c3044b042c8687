"""Pictures are read as they are shown, whatever way the file stores its pixels: the same digit
saved as CMYK, with a palette (with and without a transparent colour), 16-bit and 32-bit gray,
1-bit, gray or colour with an alpha channel and 32-bit float gives the bundled model's reading of
the plain gray PNG, and nearly the same 28x28 image."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitpad.images import read_image
from digitpad.preprocess import to_mnist
from tests.drawing import correlation, redraw

SIDE = 160
DIGITS = (0, 1, 2, 4)  # MNIST test digits 0, 1, 2 and 4 are a 7, a 2, a 1 and a 4


def _palette(gray: np.ndarray) -> Image.Image:
    """The drawing with an adaptive 16-colour palette, as GIF and palette-PNG writers make it."""
    rgb = Image.fromarray(gray).convert("RGB")
    return rgb.quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def _paper_clear(gray: np.ndarray) -> Image.Image:
    """A palette picture whose paper colour (the lightest entry) is declared transparent."""
    picture = _palette(gray)
    entries = np.asarray(picture.getpalette()[: 3 * 16]).reshape(-1, 3)
    picture.info["transparency"] = int(entries.sum(1).argmax())
    return picture


def _alpha(gray: np.ndarray, colour: tuple[int, int, int], under: int) -> np.ndarray:
    """RGBA pixels: ink of `colour` whose opacity is the drawing's darkness, on a clear sheet
    whose hidden colour is `under` (editors leave black or white there)."""
    ink = 255 - gray
    rgba = np.empty(gray.shape + (4,), np.uint8)
    rgba[..., :3] = np.where(ink[..., None] > 0, np.array(colour, np.uint8), np.uint8(under))
    rgba[..., 3] = ink
    return rgba


def _card(gray: np.ndarray) -> np.ndarray:
    """The drawing on an opaque white card with a clear margin around it (a cut-out scan)."""
    rgba = np.zeros(gray.shape + (4,), np.uint8)
    rgba[..., :3] = gray[..., None]
    rgba[8:-8, 8:-8, 3] = 255
    return rgba


def _bits(gray: np.ndarray) -> Image.Image:
    """A 1-bit picture of a drawing that is black and white already (see `SHOWN`)."""
    return Image.fromarray(gray).convert("1", dither=Image.Dither.NONE)


# each way of storing the drawing: (file suffix, the picture to save)
STORED: dict[str, tuple[str, Callable[[np.ndarray], Image.Image]]] = {
    "CMYK TIFF": ("tif", lambda g: Image.fromarray(g).convert("CMYK")),
    "CMYK JPEG": ("jpg", lambda g: Image.fromarray(g).convert("CMYK")),
    "palette PNG": ("png", _palette),
    "palette GIF": ("gif", _palette),
    "palette PNG, paper transparent": ("png", _paper_clear),
    "palette GIF, paper transparent": ("gif", _paper_clear),
    "16-bit gray PNG": ("png", lambda g: Image.fromarray(g.astype(np.uint16) * 257)),
    "16-bit gray TIFF": ("tif", lambda g: Image.fromarray(g.astype(np.uint16) * 257)),
    "32-bit gray TIFF, 8-bit values": ("tif", lambda g: Image.fromarray(g).convert("I")),
    "32-bit gray TIFF, 16-bit values": (
        "tif",
        lambda g: Image.fromarray(g.astype(np.int32) * 257, "I"),
    ),
    "1-bit PNG": ("png", _bits),
    "1-bit TIFF": ("tif", _bits),
    "gray + alpha PNG": ("png", lambda g: Image.fromarray(_alpha(g, (0, 0, 0), 0)).convert("LA")),
    "RGBA PNG, black under the clear parts": (
        "png",
        lambda g: Image.fromarray(_alpha(g, (20, 20, 90), 0)),
    ),
    "RGBA PNG, white under the clear parts": (
        "png",
        lambda g: Image.fromarray(_alpha(g, (0, 0, 0), 255)),
    ),
    "RGBA PNG, white ink on a clear sheet": (
        "png",
        lambda g: Image.fromarray(_alpha(g, (255, 255, 255), 0)),
    ),
    "RGBA PNG, opaque card with a clear margin": ("png", lambda g: Image.fromarray(_card(g))),
    "RGBA PNG, all opaque": ("png", lambda g: Image.fromarray(g).convert("RGBA")),
    "float TIFF, 0..1": ("tif", lambda g: Image.fromarray(g.astype(np.float32) / 255)),
    "float TIFF, 0..255": ("tif", lambda g: Image.fromarray(g).convert("F")),
}
# the drawing as a way of storing shows it, where that is not the drawing itself
SHOWN: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    name: lambda g: np.where(g < 128, 0, 255).astype(np.uint8) for name in STORED if "1-bit" in name
}


@pytest.fixture(scope="module")
def drawings(mnist) -> list[np.ndarray]:
    """Real digits, dark on white paper, as a scan or a drawing program makes them."""
    return [redraw(mnist.test_x[i], 120, canvas=SIDE, at=(20, 20)) for i in DIGITS]


def _read(path: Path) -> np.ndarray:
    image = to_mnist(read_image(path))
    assert image is not None, f"{path.name}: read as a blank page"
    return image


@pytest.mark.parametrize("name", list(STORED))
def test_every_way_of_storing_a_picture_reads_as_the_plain_gray_png(
    name, drawings, mnist, tmp_path, torch_predictor
):
    suffix, store = STORED[name]
    plain, stored = [], []
    for k, drawing in enumerate(drawings):
        gray = SHOWN.get(name, np.asarray)(drawing)
        Image.fromarray(gray).save(tmp_path / f"plain{k}.png")
        picture = store(gray)
        picture.save(tmp_path / f"stored{k}.{suffix}")
        assert Image.open(tmp_path / f"stored{k}.{suffix}").mode == picture.mode, name
        plain.append(_read(tmp_path / f"plain{k}.png"))
        stored.append(_read(tmp_path / f"stored{k}.{suffix}"))
    expected = torch_predictor.predict(np.stack(plain)).argmax(1)
    assert list(expected) == list(mnist.test_y[list(DIGITS)])
    assert list(torch_predictor.predict(np.stack(stored)).argmax(1)) == list(expected), name
    for a, b in zip(plain, stored, strict=True):
        assert correlation(a, b) > 0.97, name
        assert np.abs(a - b).mean() < 0.03, name
