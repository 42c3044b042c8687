"""Real pen-drawn digits: the UNIPEN reader, the canvas-like renderer and the MNIST-style images
the networks are trained and measured on. Every test reads a small excerpt of the real file."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from digitpad import pen_training, pendigits
from digitpad.data import DatasetError

# Unseen writers, only ever measured on: an excerpt of the test file shipped with the tests
# (tests/data/README.md), so that no test depends on a folder outside the checkout.
TES = Path(__file__).resolve().parent / "data" / "pendigits-tes-excerpt.gz"
SOURCE = pendigits.default_path()  # the app's own copy of the training file
N_DIGITS = 60


@pytest.fixture(scope="module")
def excerpt(tmp_path_factory) -> Path:
    """The header and first 60 digits of the real training file, as a plain-text file."""
    text = gzip.decompress(SOURCE.read_bytes()).decode("ascii")
    cut = text.index(".SEGMENT", 0)
    for _ in range(N_DIGITS):
        cut = text.index(".SEGMENT", cut + 1)
    path = tmp_path_factory.mktemp("pendigits") / "excerpt.tra"
    path.write_text(text[:cut])
    return path


@pytest.fixture(scope="module")
def digits(excerpt) -> list[pendigits.PenDigit]:
    return pendigits.read(excerpt)


def test_reads_labels_writers_and_strokes_of_the_real_file(excerpt, digits):
    text = excerpt.read_text()
    segments = [line for line in text.splitlines() if line.startswith(".SEGMENT")]
    assert len(digits) == N_DIGITS == len(segments)
    assert [d.label for d in digits] == [int(s.split('"')[1]) for s in segments]
    first = digits[0]
    # .SEGMENT DIGIT 0 ? "8" / .COMMENT 8 12 224 / one stroke of 78 points from (267, 333)
    assert (first.label, first.writer, len(first.strokes)) == (8, 12, 1)
    assert first.strokes[0].shape == (78, 2)
    assert all(1 <= d.writer <= 30 for d in digits)
    assert sum(len(d.strokes) for d in digits) == text.count(".PEN_DOWN")


def test_y_is_flipped_so_digits_stand_upright(digits):
    first_point = digits[0].strokes[0][0]
    assert tuple(first_point) == (267, pendigits.TABLET - 333)
    for seven in [d for d in digits if d.label == 7]:
        ink = pendigits.render(seven.strokes) < 128
        rows = np.flatnonzero(ink.any(axis=1))
        widths = ink[rows[0] : rows[-1] + 1].sum(axis=1)
        quarter = len(widths) // 4
        # A 7's bar is at the top: far more ink across its top quarter than its bottom one.
        assert widths[:quarter].mean() > 2 * widths[-quarter:].mean()


def test_gzip_and_plain_files_read_the_same(excerpt, digits, tmp_path):
    packed = tmp_path / "excerpt.tra.gz"
    packed.write_bytes(gzip.compress(excerpt.read_bytes()))
    again = pendigits.read(packed)
    assert [d.label for d in again] == [d.label for d in digits]
    assert all(
        np.array_equal(a, b)
        for x, y in zip(again, digits, strict=True)
        for a, b in zip(x.strokes, y.strokes, strict=True)
    )


@pytest.mark.parametrize(
    "bad, line",
    [
        (" 267  abc\n", 9),  # not two integers
        (".PEN_UP\n 1 2\n", 10),  # a point outside a stroke
        ('.PEN_UP\n.SEGMENT DIGIT 1 ? "x"\n', 10),  # a label that is not a digit
        ('.SEGMENT DIGIT 1 ? "1"\n', 9),  # a new digit inside a stroke
    ],
)
def test_a_malformed_file_names_the_file_and_line(tmp_path, bad, line):
    header = '.SEGMENT DIGIT 0 ? "8"\n.COMMENT 8 12 224\n.PEN_DOWN\n 1 2\n 3 4\n'
    text = '.INCLUDE dene.doc\n\n.LEXICON "0"\n' + header + bad + ".PEN_UP\n"
    path = tmp_path / "bad.tra"
    path.write_text(text)
    with pytest.raises(DatasetError, match=rf"bad\.tra, line {line}:"):
        pendigits.read(path)


def test_a_file_ending_inside_a_stroke_or_missing_is_reported(tmp_path):
    path = tmp_path / "cut.tra"
    path.write_text('.SEGMENT DIGIT 0 ? "1"\n.COMMENT 1 3 5\n.PEN_DOWN\n 1 2\n')
    with pytest.raises(DatasetError, match=r"cut\.tra, line 4: .*PEN_UP"):
        pendigits.read(path)
    with pytest.raises(DatasetError, match="nowhere.tra"):
        pendigits.read(tmp_path / "nowhere.tra")


def _line(pen: float) -> np.ndarray:
    """A horizontal stroke from x=100 to x=380 at y=240, drawn as canvas pixels."""
    stroke = np.array([[100, 240], [240, 240], [380, 240]], np.float32)
    return 1.0 - pendigits.render([stroke], 480, pen, fill=None) / 255.0


@pytest.mark.parametrize("pen", [2, 6, 18, 41])
def test_stroke_width_is_the_pen_width(pen):
    ink = _line(pen)
    # Summed coverage across the stroke is its width; an anti-aliased edge keeps it exact.
    assert ink[:, 240].sum() == pytest.approx(pen, abs=0.6)


def test_strokes_have_round_caps_and_anti_aliased_edges():
    pen = 40
    ink = _line(pen)
    r = pen / 2
    # The cap reaches half a pen past the end, and narrows like a half disc.
    assert ink[240, 380 + int(r) - 2] > 0.5 and ink[240, 380 + int(r) + 2] == 0
    for dx in (0, 10, 16):
        half = ink[:, 380 + dx].sum() / 2
        assert half == pytest.approx(np.sqrt(r * r - dx * dx), abs=1.0)
    edge = ink[:, 240]
    assert ((edge > 0.05) & (edge < 0.95)).sum() >= 2  # gray pixels where the edge crosses
    dot = 1.0 - pendigits.render([np.array([[240, 240]], np.float32)], 480, 30, fill=None) / 255
    assert dot.sum() == pytest.approx(np.pi * 15**2, rel=0.05)


def test_digit_is_fitted_like_a_person_draws_it(digits):
    picture = pendigits.render(digits[0].strokes, 480, 18)
    rows, cols = np.nonzero(picture < 128)
    height = rows.max() - rows.min()
    assert 0.65 * 480 < height < 0.8 * 480  # most of the height, aspect ratio kept
    assert abs((rows.max() + rows.min()) / 2 - 240) < 12
    assert abs((cols.max() + cols.min()) / 2 - 240) < 12


def test_mnist_images_are_read_by_the_bundled_cnn(digits, torch_predictor):
    pens = (8.0, 18.0, 40.0)
    got = pendigits.mnist_images(digits, pens, size=160)
    n = len(digits)
    assert got.images.shape == (3 * n, 28, 28) and got.images.dtype == np.uint8
    assert np.array_equal(got.labels[:n], [d.label for d in digits])
    assert np.array_equal(got.pens, np.repeat(pens, n)) and np.array_equal(
        got.writers[:n], got.writers[n : 2 * n]
    )
    predicted = torch_predictor.predict(got.images.astype(np.float32) / 255).argmax(axis=1)
    assert (predicted == got.labels).mean() >= 0.85


def test_blocky_scans_are_binary_and_still_readable(digits, torch_predictor):
    picture = pendigits.render(digits[0].strokes, 160, 12)
    scan = pendigits.blocky(picture, cells=16, scale=10)
    assert scan.shape == (160, 160) and set(np.unique(scan)) <= {0, 255}
    blocks = scan.reshape(16, 10, 16, 10)
    assert (blocks == blocks[:, :1, :, :1]).all()  # every cell is one flat block
    got = pendigits.mnist_images(digits, (36.0,), size=160, cells=16)
    predicted = torch_predictor.predict(got.images.astype(np.float32) / 255).argmax(axis=1)
    assert (predicted == got.labels).mean() >= 0.8


def test_trajectory_augmentation_is_seeded_and_keeps_the_digit(digits):
    strokes = digits[3].strokes
    a = pen_training.resample(
        pen_training.distort(strokes, np.random.default_rng(5)), np.random.default_rng(6)
    )
    b = pen_training.resample(
        pen_training.distort(strokes, np.random.default_rng(5)), np.random.default_rng(6)
    )
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert len(a) == len(strokes)
    same = pen_training.resample(strokes, np.random.default_rng(0), jitter=0.0)
    for before, after in zip(strokes, same, strict=True):
        np.testing.assert_allclose(after[[0, -1]], before[[0, -1]], atol=1e-3)  # ends kept


def test_training_drawings_are_seeded_varied_readable_and_cached(
    excerpt, digits, tmp_path, torch_predictor
):
    shares = []
    first = pen_training.training_images(2, excerpt, seed=1, report=shares.append, cache=tmp_path)
    n = len(digits)
    assert first.images.shape == (2 * n, 28, 28) and shares  # progress was told
    assert np.array_equal(first.labels, np.tile([d.label for d in digits], 2))
    assert not np.array_equal(first.images[:n], first.images[n:])  # two different drawings
    predicted = torch_predictor.predict(first.images.astype(np.float32) / 255).argmax(axis=1)
    assert (predicted == first.labels).mean() >= 0.85  # still the digits they were

    shares.clear()
    again = pen_training.training_images(2, excerpt, seed=1, report=shares.append, cache=tmp_path)
    assert np.array_equal(again.images, first.images) and not shares  # read from the cache
    other = pen_training.training_images(2, excerpt, seed=2, cache=tmp_path)
    assert not np.array_equal(other.images, first.images)

    for saved in tmp_path.glob("*.npz"):
        saved.write_bytes(b"damaged")
    redrawn = pen_training.training_images(2, excerpt, seed=1, report=shares.append, cache=tmp_path)
    assert np.array_equal(redrawn.images, first.images) and shares
