"""to_mnist turns drawings into what MNIST networks saw in training. The measure of "close to the
original" is the pixel correlation between to_mnist(drawing) and the MNIST digit it came from:
an MNIST digit through to_mnist itself scores a median of about 0.99."""

import numpy as np
import pytest

from digitpad.preprocess import stroke_width, to_ink, to_mnist
from tests.drawing import correlation, pen, redraw

SAMPLE = slice(0, 60)

VARIANTS = {
    "small in the top-left corner": dict(size=56, at=(4, 4)),
    "small in the bottom-right corner": dict(size=70, at=(320, 322)),
    "filling the canvas": dict(size=396, at=(2, 2)),
    "thin strokes": dict(size=280, at=(60, 60), stroke=-7),
    "thick marker strokes": dict(size=280, at=(60, 60), stroke=10),
    "light ink on dark": dict(size=200, at=(100, 50), dark_on_light=False),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_redrawn_digit_comes_back_close_to_the_original(mnist, torch_predictor, variant):
    originals = mnist.test_x[SAMPLE]
    images = np.stack([to_mnist(redraw(d, **VARIANTS[variant])) for d in originals])
    scores = [correlation(a, b / 255) for a, b in zip(images, originals, strict=True)]
    assert np.median(scores) > 0.8, f"median correlation {np.median(scores):.2f}"
    predicted = torch_predictor.predict(images).argmax(axis=1)
    assert (predicted == mnist.test_y[SAMPLE]).mean() >= 0.95


def test_output_is_mnist_shaped(mnist):
    out = to_mnist(redraw(mnist.test_x[0], 150))
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() == pytest.approx(1.0)
    rows, cols = np.nonzero(out > 0.05)
    # The longer side of the digit fits in the 20-pixel box, with the centre of mass at (14, 14).
    assert max(np.ptp(rows), np.ptp(cols)) + 1 <= 21
    total = out.sum()
    assert abs((out.sum(1) * np.arange(28)).sum() / total - 14) <= 0.75
    assert abs((out.sum(0) * np.arange(28)).sum() / total - 14) <= 0.75


def test_both_polarities_and_transparency_give_the_same_image(mnist):
    dark = redraw(mnist.test_x[3], 200)
    light = 255 - dark
    rgba = np.zeros(dark.shape + (4,), np.uint8)
    rgba[..., 3] = 255 - dark  # black strokes on a transparent sheet
    rgb_float = np.repeat(dark[..., None], 3, axis=2).astype(np.float64) / 255
    expected = to_mnist(dark)
    for other in (light, rgba, rgb_float):
        np.testing.assert_allclose(to_mnist(other), expected, atol=1e-5)


@pytest.mark.parametrize("width", [1, 6, 24, 60])
def test_a_vertical_line_of_any_width_reads_as_one(torch_predictor, width):
    image = to_mnist(pen([[(200, 60), (200, 340)]], width))
    assert torch_predictor.predict(image[None])[0].argmax() == 1


@pytest.mark.parametrize("width", [1, 12, 48])
def test_a_drawn_seven_reads_as_seven(torch_predictor, width):
    seven = [[(120, 80), (280, 80), (190, 330)]]
    image = to_mnist(pen(seven, width))
    assert torch_predictor.predict(image[None])[0].argmax() == 7


def test_stroke_width_is_normalised(mnist):
    hairline = to_mnist(redraw(mnist.test_x[1], 280, stroke=-8))
    marker = to_mnist(redraw(mnist.test_x[1], 280, stroke=14))
    natural = mnist.test_x[1] / 255
    for image in (hairline, marker):
        # Ink mass within a factor of 1.5 of the MNIST original, whatever the pen.
        assert 1 / 1.5 < image.sum() / natural.sum() < 1.5
    assert stroke_width(np.zeros((5, 5))) == 0.0


def test_low_resolution_scans_are_read(mnist, torch_predictor):
    from PIL import Image

    originals = mnist.test_x[:100]
    scans = [
        np.asarray(Image.fromarray(255 - d).resize((16, 16), Image.BILINEAR)) for d in originals
    ]
    images = np.stack([to_mnist(s) for s in scans])
    predicted = torch_predictor.predict(images).argmax(axis=1)
    assert (predicted == mnist.test_y[:100]).mean() >= 0.9


@pytest.mark.parametrize(
    "blank",
    [
        np.full((400, 400), 255, np.uint8),
        np.zeros((400, 400), np.float32),
        np.full((64, 64, 3), 128, np.uint8),
        np.zeros((50, 50, 4), np.uint8),
        # paper with faint scanner noise only
        (240 + np.random.default_rng(0).integers(0, 12, (300, 300))).astype(np.uint8),
    ],
)
def test_blank_or_near_blank_means_no_digit(blank):
    assert to_mnist(blank) is None


def test_a_single_speck_is_not_a_digit():
    paper = np.full((400, 400), 255, np.uint8)
    paper[200, 200] = 0
    assert to_mnist(paper) is None


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="shape"):
        to_ink(np.zeros((4, 4, 2)))
    with pytest.raises(ValueError, match="shape"):
        to_ink(np.zeros((0, 0)))


def test_placement_maps_the_28x28_image_back_onto_the_picture(mnist):
    """What the window needs to paint "Show why" over the drawing: the 28x28 image's ink,
    mapped back, covers the picture's ink (within a stroke width)."""
    from PIL import Image

    from digitpad.preprocess import to_mnist_placed

    big = np.asarray(Image.fromarray(mnist.test_x[0]).resize((150, 150), Image.BILINEAR))
    sheet = np.zeros((400, 500), np.uint8)
    sheet[80:230, 260:410] = big
    digit, place = to_mnist_placed(255 - sheet)
    rows, cols = np.nonzero(digit > 0.5)
    ys, xs = np.nonzero(sheet > 128)
    mapped_x = place.left + (cols + 0.5) * place.scale
    mapped_y = place.top + (rows + 0.5) * place.scale
    tolerance = 2.5 * place.scale  # a 28x28 pixel, and MNIST's stroke evening
    assert abs(mapped_x.min() - xs.min()) < tolerance and abs(mapped_x.max() - xs.max()) < tolerance
    assert abs(mapped_y.min() - ys.min()) < tolerance and abs(mapped_y.max() - ys.max()) < tolerance
    assert 150 / 28 < place.scale < 150 / 14  # about 20 of the 28 pixels span the digit
