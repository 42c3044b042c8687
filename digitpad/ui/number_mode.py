"""Number mode in the window: the canvas becomes a wide strip, the strokes are grouped into digits
(digitpad.numbers), all read in one batch as the user writes, and the window shows the number in
large type, a box with a small confidence under each digit, and the least certain digit
highlighted, its probabilities and 28x28 image in the panel."""

from __future__ import annotations

import numpy as np

from digitpad import certainty, numbers
from digitpad.ui import settings
from digitpad.ui.canvas import DrawingCanvas, Picture
from digitpad.ui.reading_panel import ReadingPanel
from digitpad.ui.square import SquareHolder

STRIP = 3.0  # width / height of the canvas in number mode


class NumberMode:
    def __init__(self, canvas: DrawingCanvas, holder: SquareHolder, panel: ReadingPanel) -> None:
        self.canvas, self.holder, self.panel = canvas, holder, panel
        self.on = False
        self.found: list[numbers.Digit] = []

    def set_on(self, on: bool) -> None:
        self.on = on
        settings.put("view/numberMode", on)
        self.holder.set_aspect(STRIP if on else 1.0)
        self.canvas.hint = "Write a number" if on else "Draw a digit"
        self.canvas.set_marks([])
        self.found = []

    def weakest(self) -> numbers.Digit | None:
        """The least certain digit read last (the one the panel details)."""
        return min(self.found, key=lambda d: d.confidence) if self.found else None

    def show(self, predictor) -> None:
        """Read the strip with `predictor` and show the number (or the hint when blank)."""
        if any(isinstance(item, Picture) for item in self.canvas.items):
            # an opened picture: its digits are found from its pixels
            ratio = self.canvas.devicePixelRatioF()
            paper = np.round((1.0 - self.canvas.ink()) * 255).astype(np.uint8)
            self.found = numbers.read_picture(predictor, paper)
            for d in self.found:
                d.box = tuple(int(v / ratio) for v in d.box)
        else:
            strokes = self.canvas.stroke_points()
            self.found = (
                numbers.read_strokes(predictor, strokes, self.canvas.pen_width) if strokes else []
            )
        if not self.found:
            self.canvas.set_marks([])
            self.panel.show_reading(None, None, self.canvas.hint)
            return
        weakest = int(np.argmin([d.confidence for d in self.found]))
        self.canvas.set_marks(
            [
                (d.box, f"{d.digit}  {d.confidence:.0%}", i == weakest)
                for i, d in enumerate(self.found)
            ]
        )
        least = self.found[weakest]
        probs = np.asarray(least.probabilities)
        text = numbers.number_text(self.found) or ""
        note = (f"Digit {weakest + 1}: " if len(self.found) > 1 else "") + certainty.describe(probs)
        self.panel.show_reading(least.image, probs, note, predictor.card.title, number=text)
