"""Number mode's core: digits found from strokes (a long 7 bar must not glue two digits, a 9's loop
and tail or a 4's two strokes are one digit, touching digits stay apart), from pixels (a detached
bar stays with its digit), read in one batch; `predict --number`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from digitpad import numbers, pendigits
from digitpad.cli import main
from digitpad.pen_rows import lift_at_loop, slant, write_row
from tests.test_pendigits import TES

PEN = 10.0  # px, for digits 100 px high: the canvas's default pen at its default size


def test_overlapping_strokes_make_one_digit_and_a_wide_bar_joins_only_one():
    ranges = [
        (0, 10),
        (2, 9),  # a digit in two strokes
        (20, 30),  # a one-stroke digit
        (38, 48),
        (40, 47),  # another digit in two strokes
        (25, 60),
    ]  # a long bar over the last two, mostly over the third digit
    assert numbers.group_ranges(ranges) == [[0, 1], [2], [3, 4, 5]]
    assert numbers.group_ranges([]) == []


def test_pieces_of_ink_are_found_and_a_detached_bar_stays_with_its_digit():
    ink = np.zeros((40, 60), bool)
    ink[5:35, 5:8] = True  # a 1
    ink[5:8, 20:32] = True  # a 5's bar, not touching the rest of the 5
    ink[10:35, 21:24] = ink[20:23, 21:32] = ink[20:35, 30:33] = True
    ink[30:32, 45:47] = True  # a speck-sized dot far right
    assert sorted(numbers.components(ink)) == [
        (5, 5, 3, 30),
        (20, 5, 12, 3),
        (21, 10, 12, 25),
        (45, 30, 2, 2),
    ]
    paper = np.where(ink, 0, 255).astype(np.uint8)
    assert numbers.split_picture(paper) == [(5, 5, 3, 30), (20, 5, 13, 30)]
    assert numbers.split_picture(255 - paper) == [(5, 5, 3, 30), (20, 5, 13, 30)]  # light ink


@pytest.fixture(scope="module")
def rows():
    """Ten 3-digit numbers written by unseen writers, placed in a row as strokes."""
    digits = pendigits.read(TES)[:300]
    rng = np.random.default_rng(0)
    out = []
    for _ in range(10):
        chosen = [digits[i] for i in rng.choice(len(digits), 3)]
        alone = pendigits.mnist_images(chosen, (18.0,), 160).images
        strokes, x = [], 20.0
        for d in chosen:
            placed = pendigits.fit(d.strokes, 100, 1.0)
            low = np.vstack(placed).min(axis=0)
            strokes += [s - low + np.array([x, 30], np.float32) for s in placed]
            x += float(np.ptp(np.vstack(placed)[:, 0])) + 25
        out.append((strokes, "".join(str(d.label) for d in chosen), alone))
    return out


def test_numbers_from_strokes_are_read_left_to_right(rows, torch_predictor):
    """Each digit of a number is read as it is read alone (segmentation costs nothing)."""
    read = [numbers.number_text(numbers.read_strokes(torch_predictor, s, 10.0)) for s, _, _ in rows]
    alone = [
        "".join(map(str, torch_predictor.predict(a.astype(np.float32) / 255).argmax(1)))
        for _, _, a in rows
    ]
    same = sum(a == b for a, b in zip(read, alone, strict=True))
    assert same >= 9, list(zip(read, alone, [t for _, t, _ in rows], strict=True))
    assert sum(text == truth for text, (_, truth, _) in zip(read, rows, strict=True)) >= 7
    found = numbers.read_strokes(torch_predictor, rows[0][0], 10.0)
    xs = [d.box[0] for d in found]
    assert xs == sorted(xs) and all(d.box[2] > 0 and d.box[3] > 0 for d in found)
    assert all(abs(sum(d.probabilities) - 1) < 1e-4 for d in found)


def test_predict_number_prints_the_number_and_each_digit(rows, tmp_path, capsys):
    strokes, truth, _ = rows[1]
    picture = pendigits.render(strokes, 420, 10.0, fill=None)[:160]
    Image.fromarray(picture).save(tmp_path / "number.png")
    Image.fromarray(np.full((50, 80), 255, np.uint8)).save(tmp_path / "blank.png")
    assert (
        main(
            [
                "predict",
                "--number",
                "--json",
                str(tmp_path / "number.png"),
                str(tmp_path / "blank.png"),
            ]
        )
        == 0
    )
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["number"] == truth and len(first["digits"]) == len(truth)
    assert set(first["digits"][0]) == {"digit", "confidence", "box", "probabilities"}
    assert second == {"path": str(tmp_path / "blank.png"), "number": None, "digits": []}


def write_on(canvas, strokes) -> None:
    """Draw a row of strokes on the canvas with the mouse, its digits 0.6 of the strip high."""
    from tests.gui import drag

    every = np.vstack(strokes)
    scale = 0.6 * canvas.height() / float(np.ptp(every[:, 1]))
    for stroke in strokes:
        drag(canvas, (stroke - every.min(axis=0)) * scale + 30)


def test_number_mode_in_the_window_reads_a_written_number(qtbot, rows):
    from PySide6.QtCore import Qt

    from tests.test_window import open_window

    window = open_window(qtbot, size=(1100, 600))
    window.commands.number.trigger()
    canvas = window.canvas
    assert canvas.width() > 2.5 * canvas.height()  # a wide strip
    strokes, _, alone = rows[0]
    write_on(canvas, strokes)
    expected = "".join(map(str, window.predictor.predict(alone.astype(np.float32) / 255).argmax(1)))
    qtbot.waitUntil(lambda: window.predictionLabel.text() == expected, timeout=5000)
    assert len(canvas._marks) == 3 and sum(mark[2] for mark in canvas._marks) == 1
    qtbot.keyClick(window, Qt.Key.Key_5)  # teaching is for single digits
    assert "one digit at a time" in window.statusBar().currentMessage()
    window.close()
    again = open_window(qtbot, size=(1100, 600))
    assert again.commands.number.isChecked() and again.canvas.hint == "Write a number"
    again.commands.number.trigger()
    assert abs(again.canvas.width() - again.canvas.height()) <= 1


def test_a_flat_bar_beside_a_digit_joins_it_and_a_one_stays_alone():
    """A 7's cross stroke or a 5's top bar drawn sticking out sideways is no digit of its own;
    a 1 close by, tall and thin, is."""
    from digitpad.numbers import split_strokes

    body = np.array([[0, 0], [30, 0], [10, 100]], np.float32)  # a 7
    bar = np.array([[33, 48], [48, 50]], np.float32)  # its cross stroke, beside it
    one = np.array([[70, 2], [71, 98]], np.float32)  # a 1
    two = np.array([[100, 10], [130, 10], [100, 95], [130, 95]], np.float32)
    assert split_strokes([body, bar, one, two]) == [[0, 1], [2], [3]]
    assert split_strokes([one, bar + [40, 0]]) == [[0, 1]]  # of two pieces, still no digit


@pytest.fixture(scope="module")
def excerpt() -> list[pendigits.PenDigit]:
    return pendigits.read(TES)


@pytest.fixture(scope="module")
def writer(excerpt) -> dict[int, list[pendigits.PenDigit]]:
    """The 250 digits of the excerpt's first writer (whom no model saw), by label."""
    by_label: dict[int, list[pendigits.PenDigit]] = {}
    for d in excerpt:
        if d.writer == excerpt[0].writer:
            by_label.setdefault(d.label, []).append(d)
    return by_label


def written(
    digits: list[pendigits.PenDigit], clearance: float = 15.0, lean: float = 0.0
) -> list[np.ndarray]:
    """The digits written in a row, 100 px high, their inks `clearance` px apart, leaning."""
    n = len(digits)
    return write_row([slant(d, lean).strokes for d in digits], [100.0] * n, [clearance] * n, PEN)[0]


def two_stroke_numbers(excerpt, writer) -> list[tuple[list[pendigits.PenDigit], float, str]]:
    """(digits, lean, truth): "1990" with 9s drawn as a loop and then a tail, "4717" with 4s
    drawn as an open "L" and a down stroke and 7s with a cross stroke. First as two writers'
    hands leaning back, as a mouse often draws: the 9's tail then starts at the loop's right
    and runs down beside it, the 4's down stroke stands beside its "L", and these numbers were
    read "101010" and "61717"-like (6 and 5 digits) when strokes were grouped by horizontal
    overlap alone; then five of each by the first writer, upright."""
    labels = {36: 1, 291: 9, 60: 9, 25: 0, 414: 4, 97: 7, 412: 1, 259: 7}  # writers 12 and 7
    assert all(excerpt[i].label == label for i, label in labels.items())
    out = [
        (
            [excerpt[36], lift_at_loop(excerpt[291]), lift_at_loop(excerpt[60]), excerpt[25]],
            0.3,
            "1990",
        ),
        ([excerpt[414], excerpt[97], excerpt[412], excerpt[259]], 0.3, "4717"),
    ]
    nines = [lift_at_loop(d) for d in writer[9]]
    fours, sevens = ([d for d in writer[k] if len(d.strokes) == 2] for k in (4, 7))
    assert len(fours) == 5 and all(len(d.strokes) == 2 for d in nines)
    for k in range(5):
        out.append(([writer[1][k], nines[2 * k], nines[2 * k + 1], writer[0][k]], 0.0, "1990"))
        out.append(([fours[k], sevens[2 * k], writer[1][k], sevens[2 * k + 1]], 0.0, "4717"))
    return out


def test_two_stroke_nines_and_fours_are_read_as_one_digit_each(excerpt, writer, torch_predictor):
    for digits, lean, truth in two_stroke_numbers(excerpt, writer):
        for clearance in (15.0, 3.0):
            found = numbers.read_strokes(torch_predictor, written(digits, clearance, lean), PEN)
            assert numbers.number_text(found) == truth, (truth, lean, clearance)
            assert [d.box[0] for d in found] == sorted(d.box[0] for d in found)


def test_digits_that_touch_or_overlap_in_their_boxes_stay_apart(writer, torch_predictor):
    """Written so tightly that each digit's ink touches the last one's (a quarter of the pen
    overlaps), or tucked under its neighbour as far as its shape allows: still one digit each,
    read as each is read alone."""
    digits = [writer[int(c)][k] for k, c in enumerate("31415926")]
    alone = pendigits.mnist_images(digits, (18.0,), 160).images.astype(np.float32) / 255
    expected = "".join(map(str, torch_predictor.predict(alone).argmax(1)))
    assert expected == "31415926"
    for clearance in (-PEN / 4, 0.0, 3.0):
        strokes = written(digits, clearance)
        assert len(numbers.split_strokes(strokes, PEN)) == 8
        assert numbers.number_text(numbers.read_strokes(torch_predictor, strokes, PEN)) == expected


def test_a_stroke_added_later_still_joins_its_digit():
    """A 4's down stroke drawn after the digit next to it is one digit with its "L"."""
    ell = np.array([[10, 0], [0, 60], [40, 60]], np.float32)
    down = np.array([[30, 0], [30, 100]], np.float32)
    one = np.array([[70, 0], [70, 100]], np.float32)
    assert numbers.split_strokes([ell, down, one], PEN) == [[0, 1], [2]]
    assert numbers.split_strokes([ell, one, down], PEN) == [[0, 2], [1]]


def test_number_mode_in_the_window_reads_nines_drawn_in_two_strokes(qtbot, excerpt, writer):
    from tests.test_window import open_window

    window = open_window(qtbot, size=(1100, 600))
    window.commands.number.trigger()
    digits, lean, truth = two_stroke_numbers(excerpt, writer)[0]
    write_on(window.canvas, written(digits, lean=lean))
    qtbot.waitUntil(lambda: window.predictionLabel.text() == truth, timeout=5000)
    assert len(window.canvas._marks) == 4
