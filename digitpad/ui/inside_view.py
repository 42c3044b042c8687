"""View > Inside the network: a window that shows, for the drawing being read, every layer of
the active model (feature maps as tiles, dense layers as strips, the output probabilities), the
first convolution's filters if asked, and one clicked map large over the 28x28 input.

It follows the reading: after each one (the window's `predicted`) it asks the predictor for
every layer's output (`Predictor.activations`) once the event loop is free, and only while it is
shown; hidden, it costs nothing. A backend that gives only the output (ONNX Runtime) says why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt, QTimer, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from digitpad.backends.base import Predictor
from digitpad.layer_outputs import LayerOutput
from digitpad.session import ModelSession
from digitpad.ui import settings
from digitpad.ui.inside_tiles import FILTERS, InputOverlay, LayerTiles
from digitpad.ui.reading_panel import QUIET_STYLE
from digitpad.ui.workers import WorkerPool

log = logging.getLogger("digitpad.ui")
PICK_HINT = "Click a feature map to see it here over the input"
INPUT = "The input (28 × 28)"
NO_MAPS = (
    "The network sees the 28 × 28 input; its layers are dense (each a strip of units: "
    "hover one for its value)"
)
FILTERS_TIP = (
    "The first convolution's kernels: the strokes and edges each of its feature maps looks for"
)
SHOWN = "view/insideNetwork"


class InsideView(QWidget):
    def __init__(
        self,
        session: ModelSession,
        image: Callable[[], np.ndarray | None],
        predicted: SignalInstance,
        action: QAction,
        tasks: WorkerPool,
        quitting: Callable[[], bool],
        parent: QWidget,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("insideView")
        self.setWindowTitle("Inside the network")
        self.session, self.image, self.action, self.tasks = session, image, action, tasks
        self.quitting = quitting  # the main window is closing: this close is not the user's
        self.outputs: list[LayerOutput] = []
        self.last_ms: float | None = None  # the last update: activations and layout
        self._predictor = None
        self._picked: tuple[int, int] | None = None  # (layer, map) shown over the input
        self._pending = False
        self._free_at = 0.0  # when the next update may start (perf_counter seconds)
        self._placed = False
        self._ready = self._warming = None  # the predictor read once (on a worker), or being

        self.title = QLabel(objectName="insideTitle")
        self.filters = QCheckBox("Filters of the first convolution", objectName="insideFilters")
        self.filters.setToolTip(FILTERS_TIP)
        self.filters.setChecked(bool(settings.get("view/insideFilters")))
        self.filters.toggled.connect(self._filters_toggled)
        self.note = QLabel(objectName="insideNote", wordWrap=True)
        self.note.setStyleSheet(QUIET_STYLE)
        self.overlay = InputOverlay()
        self.picked = QLabel(PICK_HINT, objectName="insidePicked", wordWrap=True)
        self.picked.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.filter_row = LayerTiles()
        self.filter_row.setObjectName("insideFilterTiles")
        self.rows: list[LayerTiles] = []

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.filters)
        side = QVBoxLayout()  # beside the layers: the input, with the map clicked over it
        self.caption = QLabel(INPUT, objectName="insideCaption")
        self.caption.setStyleSheet(QUIET_STYLE)
        side.addWidget(self.caption)
        side.addWidget(self.overlay)
        side.addWidget(self.picked)
        side.addStretch(1)
        for label in (self.caption, self.picked):
            label.setFixedWidth(self.overlay.width())
            label.setWordWrap(True)
        self.column = QVBoxLayout()
        self.column.setSpacing(6)
        self.column.addWidget(self.filter_row)
        self.column.addStretch(1)
        inner = QWidget(objectName="insideLayers")
        inner.setLayout(self.column)
        self.scroll = QScrollArea(widgetResizable=True)
        self.scroll.setWidget(inner)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QHBoxLayout()
        body.addWidget(self.scroll, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.note)
        layout.addLayout(body, 1)
        self.resize(980, 820)
        predicted.connect(self.schedule)

    # --- following the reading ----------------------------------------------------------------
    def schedule(self) -> None:
        """Update once the event loop is free (one update for readings that came together),
        and no sooner after the last than that one took: the pen keeps at least half the
        window's time, however slow the model or the machine."""
        if self.isVisible() and not self._pending:
            self._pending = True
            wait = max(0.0, self._free_at - time.perf_counter())
            QTimer.singleShot(round(wait * 1000), self.refresh)

    def refresh(self) -> None:
        """Every layer's output for the image being read, now."""
        self._pending = False
        if not self.isVisible():
            return
        started = time.perf_counter()
        predictor, image = self.session.predictor, self.image()
        if predictor is not self._predictor:
            self._predictor, self._picked = predictor, None
            self.title.setText(f"<b>{predictor.card.title}</b>" if predictor else "No model")
            self._show_filters()
        if predictor is None or image is None:
            hint = "Loading model…" if self.session.loading else "Draw a digit"
            self._show([], image, hint)
            return
        if predictor is not self._ready:
            self._warm(predictor, image)
            return
        try:
            found = predictor.activations(image)
        except Exception as err:  # a failing model must not stop the drawing
            log.exception("reading the layers of %s failed", predictor.path)
            self._show([], image, f"Could not read the layers: {err}")
            return
        self._show(found, image, predictor.activations_missing())
        took = time.perf_counter() - started
        self.last_ms, self._free_at = took * 1000, time.perf_counter() + took

    def _warm(self, predictor: Predictor, image: np.ndarray) -> None:
        """A model's first layers are read on a worker: Keras traces its function then (0.3 to
        1 s, measured), which on the window's thread would hold the pen up."""
        self._show([], image, f"Reading the layers of {predictor.card.title}…")
        if self._warming is predictor:
            return
        self._warming = predictor

        def ready(_=None) -> None:
            if self._warming is predictor:
                self._ready, self._warming = predictor, None
                self.schedule()

        self.tasks.start(
            lambda worker: predictor.activations(image), "inside the network", ready, ready
        )  # a failure is then met, and shown, on the next update

    def _show(self, found: list[LayerOutput], image: np.ndarray | None, note: str) -> None:
        self.outputs = found
        probs = found[-1].array if found else None
        self.caption.setText(
            INPUT if probs is None else f"{INPUT}, read as {probs.argmax()} ({probs.max():.1%})"
        )
        self.note.setText(note)
        self.note.setVisible(bool(note))
        while len(self.rows) < len(found):
            row, number = LayerTiles(), len(self.rows)
            row.mapClicked.connect(lambda i, n=number: self.pick(n, i))
            self.column.insertWidget(self.column.count() - 1, row)
            self.rows.append(row)
        for n, row in enumerate(self.rows):
            row.set_output(found[n] if n < len(found) else None)
            row.setVisible(n < len(found))
        self._show_picked(image)

    # --- one map over the input ----------------------------------------------------------------
    def pick(self, layer: int, index: int) -> None:
        """Show map `index` of layer `layer` large over the input (a click on its tile)."""
        self._picked = (layer, index)
        self._show_picked(self.image())

    def _show_picked(self, image: np.ndarray | None) -> None:
        layer, index = self._picked or (-1, 0)
        if (
            not 0 <= layer < len(self.outputs)
            or not self.outputs[layer].maps
            or index >= self.outputs[layer].shape[2]
        ):
            self._picked = None
            self.overlay.set_input(image)
            maps = any(out.maps for out in self.outputs)
            dense = len(self.outputs) > 1 and not maps
            self.picked.setText(PICK_HINT if maps else NO_MAPS if dense else "")
            return
        out = self.outputs[layer]
        self.overlay.set_input(image, out, index)
        values = out.array[:, :, index]
        self.picked.setText(
            f"<b>{out.name}</b><br>map {index} of {out.shape[2]}, where it responds in the "
            f"input: brighter is stronger (its largest {values.max():.2f}, the layer's "
            f"{out.array.max():.2f})<br><br>{PICK_HINT}"
        )

    # --- the first convolution's filters ----------------------------------------------------------
    def _filters_toggled(self, shown: bool) -> None:
        settings.put("view/insideFilters", shown)
        self._show_filters()

    def _show_filters(self) -> None:
        predictor = self._predictor
        kernels = predictor.first_filters() if predictor is not None else None
        self.filters.setEnabled(kernels is not None)
        self.filters.setToolTip(
            FILTERS_TIP
            if kernels is not None or predictor is None
            else "This model has no convolution whose filters can be read"
        )
        if kernels is None or not self.filters.isChecked():
            self.filter_row.set_output(None)
            self.filter_row.setVisible(False)
            return
        shape = (*kernels.shape[1:], kernels.shape[0])
        self.filter_row.set_output(
            LayerOutput(
                "filters of the first convolution",
                FILTERS,
                shape,
                np.ascontiguousarray(np.moveaxis(kernels, 0, 2)),
            )
        )
        self.filter_row.setVisible(True)

    # --- shown and hidden ------------------------------------------------------------------------
    def set_shown(self, shown: bool) -> None:
        """View > Inside the network, remembered for the next start."""
        settings.put(SHOWN, shown)
        if shown and not self._placed:
            self._place_beside(self.parentWidget())
        self.setVisible(shown)
        if shown:
            self.raise_()

    def _place_beside(self, window: QWidget) -> None:
        """First shown: to the right of the main window where the screen has room (narrowed
        to fit, down to 640 px), so that the drawing and its layers are seen together."""
        self._placed = True
        screen, main = window.screen().availableGeometry(), window.frameGeometry()
        room = screen.right() - main.right() - 8
        if room >= 640:
            self.resize(min(self.width(), room), min(self.height(), screen.height()))
            self.move(main.right() + 8, max(screen.top(), main.top()))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.schedule()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closed by its own close button: the menu item is unticked, and that is remembered.
        Closed because the main window closes (which closes this one with it): left as it
        was, to open again at the next start."""
        if not self.quitting():
            self.action.setChecked(False)  # `triggered` does not fire: nothing shows it again
            settings.put(SHOWN, False)
        super().closeEvent(event)
