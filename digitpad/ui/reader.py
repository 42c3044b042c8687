"""Reading the canvas and showing the answer: one digit (preprocess, predict, "how sure", and
"Show why" on the preview and faintly over the drawing) or, in number mode, the whole number.
Never lets a failing model stop the drawing: a reading that fails is reported in the panel."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QLabel

from digitpad import certainty, comparison
from digitpad.backends.base import Predictor
from digitpad.preprocess import Placement, to_mnist_placed
from digitpad.session import ModelSession
from digitpad.ui.canvas import DrawingCanvas
from digitpad.ui.number_mode import NumberMode
from digitpad.ui.preview import heat_image
from digitpad.ui.reading_panel import ReadingPanel

log = logging.getLogger("digitpad.ui")


class Reader:
    def __init__(
        self,
        canvas: DrawingCanvas,
        panel: ReadingPanel,
        session: ModelSession,
        latency: QLabel,
        number_mode: NumberMode,
        why: Callable[[], bool],
        done: Callable[[], None],
    ) -> None:
        self.canvas, self.panel, self.session, self.latency = canvas, panel, session, latency
        self.number_mode, self.why, self.done = number_mode, why, done
        self.last_latency_ms: float | None = None
        self._timed: Predictor | None = None  # the model whose reading time the cell shows
        self.image: np.ndarray | None = None  # the 28x28 image the panel shows, read last
        self.answer: tuple[Predictor, comparison.Answer] | None = None  # (predictor, its answer)

    def read(self) -> None:
        """Read the canvas now: preprocess, predict, show. Blank means no guess."""
        started = time.perf_counter()
        predictor = self.session.predictor
        self.image, self.answer = None, None
        try:
            if self.number_mode.on and predictor is not None and not self.canvas.is_blank():
                self._read_number(predictor)
            else:
                self._read_digit(predictor)
        finally:
            self.done()
        if predictor is not None and not self.canvas.is_blank():
            self._show_latency(predictor, (time.perf_counter() - started) * 1000)
        elif predictor is not None and predictor is not self._timed:
            self._time_blank(predictor)

    def _show_latency(self, predictor: Predictor, ms: float) -> None:
        self.last_latency_ms, self._timed = ms, predictor
        self.latency.setText(f"{ms:.1f} ms")

    def _time_blank(self, predictor: Predictor) -> None:
        """A blank canvas reads nothing, and the reading-time cell stayed empty after start-up
        and a switch of model: time the new model on an empty image instead (it is warm)."""
        try:
            answer = comparison.read(predictor, np.zeros((28, 28), np.float32))
        except Exception:  # the reading that fails is reported on the first stroke
            log.exception("timing a reading with %s failed", predictor.path)
            return
        self._show_latency(predictor, answer.ms)

    def _read_number(self, predictor) -> None:
        self.canvas.set_heat(None)  # the preview shows why for the least certain digit
        self.number_mode.show(predictor)
        weakest = self.number_mode.weakest()
        self.image = None if weakest is None else weakest.image
        if weakest is not None and self.why():
            self._show_why(predictor, weakest.image, weakest.digit)

    def _read_digit(self, predictor) -> None:
        placed = None if self.canvas.is_blank() else to_mnist_placed(self.canvas.ink())
        digit, place = placed or (None, None)
        self.image = digit
        self.canvas.set_heat(None)
        if digit is None:
            self.panel.show_reading(None, None, self.canvas.hint)
            return
        if predictor is None:
            hint = "Loading model…" if self.session.loading else "No model: choose another one"
            self.panel.show_reading(digit, None, hint)
            return
        try:
            answer = comparison.read(predictor, digit)
        except Exception as err:  # e.g. a GPU that went away: say so, keep drawing
            log.exception("reading with %s failed", predictor.path)
            self.panel.show_model_status(f"Could not read the drawing: {err}", error=True)
            self.panel.show_reading(digit, None, "No reading")
            return
        self.answer, probs = (predictor, answer), answer.probabilities
        self.panel.show_reading(digit, probs, certainty.describe(probs), predictor.card.title)
        if self.why():
            self._show_why(predictor, digit, int(probs.argmax()), place)

    def _show_why(
        self, predictor, digit: np.ndarray, best: int, place: Placement | None = None
    ) -> None:
        """Which pixels pushed the network towards its answer: on the 28x28 preview and, when
        known where the preview lies on the drawing, faintly over the strokes."""
        try:
            heat = predictor.explain(digit, best)
        except Exception:  # an explanation is a nicety: never let it stop the reading
            log.exception("explaining the reading with %s failed", predictor.path)
            return
        self.panel.previewImage.set_heat(heat)
        if place is not None:
            side = 28 * place.scale
            self.canvas.set_heat(heat_image(heat), QRectF(place.left, place.top, side, side))
