"""Number mode's core: digits found from strokes (a long 7 bar must not glue two digits), from
pixels (a detached bar stays with its digit), read in one batch; `predict --number`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from digitpad import numbers, pendigits
from digitpad.cli import main
from tests.test_pendigits import TES


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


def test_number_mode_in_the_window_reads_a_written_number(qtbot, rows):
    from PySide6.QtCore import QEvent, Qt

    from tests.gui import _send
    from tests.test_window import open_window

    window = open_window(qtbot, size=(1100, 600))
    window.commands.number.trigger()
    canvas = window.canvas
    assert canvas.width() > 2.5 * canvas.height()  # a wide strip
    strokes, _, alone = rows[0]
    every = np.vstack(strokes)
    scale = 0.6 * canvas.height() / float(np.ptp(every[:, 1]))
    for stroke in strokes:
        points = [
            ((x - every[:, 0].min()) * scale + 30, (y - every[:, 1].min()) * scale + 30)
            for x, y in stroke
        ]
        _send(
            canvas,
            QEvent.Type.MouseButtonPress,
            points[0],
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.LeftButton,
        )
        for p in points[1:]:
            _send(
                canvas, QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton
            )
        _send(
            canvas,
            QEvent.Type.MouseButtonRelease,
            points[-1],
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.NoButton,
        )
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
