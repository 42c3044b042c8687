"""Teach mode: the user says what the drawing really was (a digit key, a click on its bar, or
Enter to confirm the reading) and it is kept as a labelled personal sample for personalisation.

Storing a sample is one small atomic file write, done on the GUI thread (about a millisecond);
the canvas is then cleared for the next digit (undoable like any clear), and "Forget last
sample" removes the last one again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from digitpad import samples
from digitpad.preprocess import to_mnist
from digitpad.ui.canvas import DrawingCanvas

log = logging.getLogger("digitpad.ui")


class Teacher(QObject):
    taught = Signal()  # a sample was stored or forgotten: counts changed

    def __init__(
        self,
        canvas: DrawingCanvas,
        say: Callable[[str], None],
        reading: Callable[[], np.ndarray | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.canvas, self.say, self.reading = canvas, say, reading
        self.taught_files: list[Path] = []  # this session's samples, newest last
        self.single_digit: Callable[[], bool] = lambda: True  # False in number mode

    def teach(self, label: int) -> Path | None:
        """Keep the drawing as a sample of `label`; None (and a message) if there is none."""
        if not self.single_digit():
            self.say("Teaching works one digit at a time: turn off number mode (N) first")
            return None
        if self.canvas.is_blank():
            self.say("Draw a digit first, then press its key (0-9) to teach it")
            return None
        digit = to_mnist(self.canvas.ink())
        if digit is None:
            self.say("There is no digit on the canvas to teach")
            return None
        strokes = [np.asarray(s.points, np.float32) for s in self.canvas.strokes()]
        try:
            path = samples.add(digit, label, strokes)
        except OSError as err:
            log.warning("could not store a sample: %s", err)
            self.say(f"Could not keep the sample: {err.strerror or err}")
            return None
        self.taught_files.append(path)
        count = len(list(path.parent.glob(f"*{samples.SUFFIX}")))
        self.say(
            f"Kept as a {label} ({count} sample{'s' if count != 1 else ''} of {label}). "
            "Edit > Forget last sample undoes it"
        )
        self.canvas.clear()
        self.taught.emit()
        return path

    def confirm(self) -> Path | None:
        """Enter: the reading was right; keep the drawing as a sample of what was read."""
        probs = self.reading()
        if probs is None:
            self.say("Nothing was read yet: draw a digit, or press its key to teach it")
            return None
        return self.teach(int(np.argmax(probs)))

    def forget_last(self) -> bool:
        while self.taught_files:
            path = self.taught_files.pop()
            if path.exists():
                samples.delete(path)
                self.say(f"Forgot the last sample (a {path.parent.name})")
                self.taught.emit()
                return True
        self.say("No sample taught in this session to forget")
        return False
