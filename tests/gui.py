"""Driving the real window as a person would: mouse strokes with the button held."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

NO_MODIFIER = Qt.KeyboardModifier.NoModifier


def _send(widget: QWidget, kind, point, button, buttons) -> None:
    pos = QPointF(*point)
    event = QMouseEvent(kind, pos, widget.mapToGlobal(pos), button, buttons, NO_MODIFIER)
    QApplication.sendEvent(widget, event)


def drag(widget: QWidget, points, button=Qt.MouseButton.LeftButton) -> None:
    """Press at the first point, move through the rest with the button held, release."""
    points = [(float(x), float(y)) for x, y in points]
    _send(widget, QEvent.Type.MouseButtonPress, points[0], button, button)
    for p in points[1:]:
        _send(widget, QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, button)
    _send(widget, QEvent.Type.MouseButtonRelease, points[-1], button, Qt.MouseButton.NoButton)


def line(widget: QWidget, start, end, steps: int = 12, button=Qt.MouseButton.LeftButton) -> None:
    """A straight stroke given in fractions of the widget's size."""
    w, h = widget.width(), widget.height()
    xs = np.linspace(start[0], end[0], steps) * w
    ys = np.linspace(start[1], end[1], steps) * h
    drag(widget, zip(xs, ys, strict=True), button)


def trace_digit(widget: QWidget, digit: np.ndarray, margin: float = 0.15) -> None:
    """Draw a 28x28 MNIST digit on the canvas as strokes: one stroke per run of ink along
    each pixel row, with a pen about one MNIST pixel wide."""
    side = min(widget.width(), widget.height())
    cell = side * (1 - 2 * margin) / 28
    offset = side * margin
    for row in range(28):
        ink = np.flatnonzero(digit[row] > 110)
        if not len(ink):
            continue
        runs = np.split(ink, np.flatnonzero(np.diff(ink) > 1) + 1)
        for run in runs:
            y = offset + (row + 0.5) * cell
            x0, x1 = offset + (run[0] + 0.3) * cell, offset + (run[-1] + 0.7) * cell
            drag(widget, [(x0, y), ((x0 + x1) / 2, y), (x1, y)])


def replay_pen_digit(widget: QWidget, strokes, fill: float = 0.7, every: int = 4) -> None:
    """Draw a recorded pen digit (strokes of tablet points, y downwards) as a person would:
    placed and sized on the canvas like a hand-drawn digit, each stroke a press, one move per
    recorded point (the tablet's own sampling, no points added) and a release. Events are
    processed every `every` moves, so the window reads the digit live while it is drawn."""
    from PySide6.QtWidgets import QApplication

    from digitpad.pendigits import fit

    side = min(widget.width(), widget.height())
    for stroke in fit(strokes, side, fill):
        points = [(float(x), float(y)) for x, y in stroke]
        _send(
            widget,
            QEvent.Type.MouseButtonPress,
            points[0],
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.LeftButton,
        )
        for i, p in enumerate(points[1:], start=1):
            _send(
                widget, QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton
            )
            if i % every == 0:
                QApplication.processEvents()
        _send(
            widget,
            QEvent.Type.MouseButtonRelease,
            points[-1],
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.NoButton,
        )
        QApplication.processEvents()


def answer_modal(act, seen: list | None = None) -> None:
    """Have `act` handle the next modal dialog once it is up (exec() blocks the test, so the
    answer is queued before the click that opens it). The dialog goes into `seen`."""
    from PySide6.QtCore import QTimer

    def handle() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(10, handle)
            return
        if seen is not None:
            seen.append(dialog)
        act(dialog)

    QTimer.singleShot(0, handle)
