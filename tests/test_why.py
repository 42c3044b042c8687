"""Why this answer: explanations that really point at the pixels the answer rests on (both
backends' input x gradient, and the occlusion every backend gets), the "Show why" overlay in the
window, and "7, or maybe 1" when the network hesitates."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad import certainty
from digitpad.backends.base import Predictor
from tests.gui import line
from tests.test_window import open_window


def drop_when_removed(predictor, image, digit, pixels) -> float:
    """How much the digit's probability falls when these pixels are blanked."""
    cut = image.copy()
    cut.ravel()[pixels] = 0.0
    before, after = predictor.predict(np.stack([image, cut]))[:, digit]
    return float(before - after)


@pytest.mark.parametrize("how", ["gradient", "occlusion"])
def test_explanations_point_at_what_the_answer_rests_on(
    mnist, torch_predictor, keras_predictor, how
):
    images = mnist.test_x[:8].astype(np.float32) / 255
    for predictor in (torch_predictor, keras_predictor):
        better = 0
        for image, label in zip(images, mnist.test_y[:8], strict=True):
            explain = (
                predictor.explain
                if how == "gradient"
                else (lambda x, d, p=predictor: Predictor.explain(p, x, d))
            )
            heat = explain(image, int(label))
            assert heat.shape == (28, 28) and np.isfinite(heat).all()
            ink = np.flatnonzero(image.ravel() > 0.3)
            k = max(1, len(ink) // 5)
            top = ink[np.argsort(heat.ravel()[ink])[::-1][:k]]
            rng = np.random.default_rng(0)
            random = rng.choice(ink, k, replace=False)
            better += drop_when_removed(predictor, image, int(label), top) > drop_when_removed(
                predictor, image, int(label), random
            )
        assert better >= 6, (
            f"{predictor.backend} {how}: only {better} of 8 explanations beat removing random ink"
        )


def test_hesitation_names_the_runner_up():
    sure = np.array([0.01] * 9 + [0.91])
    assert certainty.describe(sure) == "91.0% confident" and not certainty.is_unsure(sure)
    torn = np.zeros(10)
    torn[7], torn[1], torn[4] = 0.55, 0.40, 0.05
    assert certainty.describe(torn) == "Not sure: 7, or maybe 1 (55% / 40%)"


def test_show_why_colours_the_preview_and_is_remembered(qtbot):
    window = open_window(qtbot)
    line(window.canvas, (0.5, 0.15), (0.5, 0.85))
    qtbot.waitUntil(lambda: window.probabilityBars.probabilities() is not None)
    assert not window.previewImage.showing_why()
    window.commands.why.trigger()
    assert window.previewImage.showing_why() and window.canvas.showing_heat()
    line(window.canvas, (0.3, 0.2), (0.7, 0.2))  # still shown while drawing on
    qtbot.waitUntil(lambda: window.previewImage.showing_why())
    # ... and faintly over the strokes on the canvas: some ink tinted red (towards the answer)
    assert count_tinted(window.canvas) > 20
    window.close()
    again = open_window(qtbot)
    assert again.commands.why.isChecked()
    again.commands.why.trigger()
    line(again.canvas, (0.5, 0.15), (0.5, 0.85))
    qtbot.waitUntil(lambda: again.probabilityBars.probabilities() is not None)
    assert not again.previewImage.showing_why() and not again.canvas.showing_heat()
    assert count_tinted(again.canvas) == 0  # black ink on white paper only


def count_tinted(canvas) -> int:
    shot = canvas.grab().toImage()
    colours = [
        shot.pixelColor(x, y) for x in range(0, shot.width(), 3) for y in range(0, shot.height(), 3)
    ]
    return sum(c.red() > c.green() + 40 and c.red() > c.blue() + 40 for c in colours)
