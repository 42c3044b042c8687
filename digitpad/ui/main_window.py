"""The main window: the canvas on the left, the reading panel on the right, menus, a toolbar and a
status bar. It is the app's composition root: it creates the model session, the worker pools and
the training controller, and wires the widgets to them. Drawing never waits for a model."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from digitpad import backends, models
from digitpad import session as events
from digitpad.pen import WIDTHS as PEN_WIDTHS
from digitpad.resources import asset
from digitpad.session import ModelSession
from digitpad.ui import help_dialogs, image_io, menus, settings
from digitpad.ui.canvas import DrawingCanvas
from digitpad.ui.exporting import Exporter
from digitpad.ui.model_choices import ModelChoices
from digitpad.ui.number_mode import NumberMode
from digitpad.ui.reader import Reader
from digitpad.ui.reading_panel import ReadingPanel
from digitpad.ui.square import SquareHolder
from digitpad.ui.status import StatusArea
from digitpad.ui.teach import Teacher
from digitpad.ui.training_controller import TrainingController
from digitpad.ui.workers import WorkerPool

log = logging.getLogger("digitpad.ui")
STOP_TRAINING_QUESTION = "A model is still training. Stop the training and quit?"


class MainWindow(QMainWindow):
    predicted = Signal()  # after every reading shown (or cleared)
    modelChanged = Signal()  # a model became active, or the one asked for failed to load
    closed = Signal()  # the window closed for good: the app ends (ui.app)

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("digitpad")
        self.setWindowIcon(QIcon(str(asset("icons", "digitpad.png"))))
        self.setAcceptDrops(True)
        QApplication.setAttribute(Qt.ApplicationAttribute.AA_CompressHighFrequencyEvents, False)
        self.loads = WorkerPool(self, threads=1, name="model-loading")
        self.tasks = WorkerPool(self, threads=2, name="tasks")
        self.exporter = Exporter(self.tasks)
        self.session = ModelSession(self._submit_load)
        self.training = TrainingController(self.tasks, self)
        self._dialogs: dict[str, QWidget] = {}
        self._asking = False  # the "Stop the training and quit?" question is up
        self._closed = False
        self.inside = None  # View > Inside the network, made when first shown

        self.canvas = DrawingCanvas()
        self.panel = ReadingPanel()
        self.predictionLabel = self.panel.predictionLabel
        self.confidenceLabel = self.panel.confidenceLabel
        self.probabilityBars = self.panel.probabilityBars
        self.previewImage = self.panel.previewImage
        self.modelSelector = self.panel.modelSelector
        self.trainButton = self.panel.trainButton
        body = QHBoxLayout()
        self.holder = SquareHolder(self.canvas)
        body.addWidget(self.holder, 1)
        body.addWidget(self.panel)
        central = QWidget()
        central.setLayout(body)
        self.setCentralWidget(central)
        self.status = StatusArea(self.statusBar(), self.training, self.open_training)
        self.number_mode = NumberMode(self.canvas, self.holder, self.panel)
        self.teacher = Teacher(
            self.canvas, self.status.say, self.probabilityBars.probabilities, self
        )
        self.teacher.single_digit = lambda: not self.number_mode.on
        self.commands = menus.build(self)
        self.reader = Reader(
            self.canvas,
            self.panel,
            self.session,
            self.status.latency,
            self.number_mode,
            self.commands.why.isChecked,
            self.predicted.emit,
        )
        self.choices = ModelChoices(
            self.session, self.modelSelector, self.commands.choose_menu, self.select_model, self
        )

        self.canvas.changed.connect(self.predict_drawing)
        self.canvas.changed.connect(self._update_actions)
        self.trainButton.clicked.connect(self.open_training)
        self.probabilityBars.digitClicked.connect(self.teacher.teach)
        self.session.subscribe(self._on_session)
        self._restore()
        if self.commands.number.isChecked():
            self.number_mode.set_on(True)
        self._update_actions()
        self.session.refresh()
        self.predict_drawing()
        QTimer.singleShot(0, self._load_initial_model)
        if self.commands.inside.isChecked():
            QTimer.singleShot(0, lambda: self.toggle_inside(True))

    # --- model session --------------------------------------------------------------------
    @property
    def predictor(self):
        return self.session.predictor

    @property
    def model_path(self) -> Path | None:
        return self.session.active

    def _submit_load(self, load, on_done, on_error) -> None:
        self.loads.start(lambda worker: load(), "model loading", on_done, on_error)

    def _load_initial_model(self) -> None:
        saved = settings.get("model/path")
        path = Path(saved) if saved and Path(saved).exists() else models.default_model("torch")
        self.select_model(path)

    def select_model(self, path: Path) -> None:
        """Switch to a model file; it loads in the background, the old one reads meanwhile."""
        self.session.select(Path(path), settings.get("model/device"))

    def _on_session(self, event: str) -> None:
        s = self.session
        if event == events.LOADING:
            card = s.card(s.pending)
            loading = f"Loading {card.title if card else s.pending.name}…"
            self.panel.show_model_status(loading)
            self.status.model.setText(loading)
            if s.predictor is None:
                self.predict_drawing()
        elif event == events.ACTIVE:
            settings.put("model/path", str(s.active))
            self.panel.show_model_status("")
            self._show_model()
            self.predict_drawing()
            self.modelChanged.emit()
        elif event == events.FAILED:
            log.warning("model load failed: %s", s.error)
            self.panel.show_model_status(f"Could not load: {s.error}", error=True)
            self.status.say(s.error)
            self._show_model()
            self.choices._mark(s.active)
            if s.predictor is None:
                self.predict_drawing()
            self.modelChanged.emit()

    def _show_model(self) -> None:
        self.status.show_model(self.session.predictor)

    def export_model(self) -> None:
        """Export the model reading the canvas (Model > Export…)."""
        if self.session.active is not None:
            self.exporter.ask(self, self.session.active, self.status.say)

    def choose_model_file(self) -> None:
        suffixes = " ".join(f"*{backends.get(n).suffix}" for n in backends.installed())
        name, _ = QFileDialog.getOpenFileName(
            self, "Load model file", str(models.models_dir()), f"Model files ({suffixes})"
        )
        if name:
            self.select_model(Path(name))

    # --- drawing and reading ----------------------------------------------------------------
    def set_pen_width(self, width: int) -> None:
        width = int(np.clip(width, *PEN_WIDTHS))
        self.canvas.pen_width = width
        if self.commands.pen.value() != width:
            self.commands.pen.setValue(width)

    def toggle_eraser(self) -> None:
        self.canvas.eraser = self.commands.eraser.isChecked()
        self.canvas.setCursor(
            Qt.CursorShape.PointingHandCursor if self.canvas.eraser else Qt.CursorShape.CrossCursor
        )

    def _update_actions(self) -> None:
        self.commands.clear.setEnabled(not self.canvas.is_blank())

    def predict_drawing(self) -> None:
        """Read the canvas now and show the answer (see ui.reader)."""
        self.reader.read()

    @property
    def last_latency_ms(self) -> float | None:
        return self.reader.last_latency_ms

    def toggle_numbers(self, on: bool) -> None:
        self.number_mode.set_on(on)
        self.predict_drawing()

    def toggle_why(self, shown: bool) -> None:
        settings.put("view/showWhy", shown)
        self.predict_drawing()

    def toggle_inside(self, shown: bool) -> None:
        """View > Inside the network (ui.inside_view)."""
        from digitpad.ui.inside_view import InsideView

        if self.inside is None:
            self.inside = InsideView(
                self.session,
                self.previewImage.pixels,
                self.predicted,
                self.commands.inside,
                self.loads,
                lambda: self._closed,
                self,
            )
        self.inside.set_shown(shown)

    # --- pictures ---------------------------------------------------------------------------
    def choose_image(self) -> None:
        if path := image_io.choose_image(self):
            self.open_image(path)

    def open_image(self, path: Path) -> bool:
        """Put a picture on the canvas and read it. An unreadable file is reported, not fatal."""
        problem = image_io.open_image(self, self.canvas, Path(path))
        self.status.say(problem or f"Opened {Path(path).name}")
        return problem is None

    def choose_save(self) -> None:
        if path := image_io.choose_save_path(self):
            self.save_drawing(path)

    def save_drawing(self, path: Path) -> bool:
        saved = image_io.save_drawing(self.canvas, path)
        self.status.say(f"Saved {saved}" if saved else f"Could not save {path}")
        return saved is not None

    def dragEnterEvent(self, event) -> None:
        if image_io.dropped_file(event):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        if path := image_io.dropped_file(event):
            self.open_image(path)
            event.acceptProposedAction()

    # --- other windows ------------------------------------------------------------------------
    def _dialog(self, key: str, make) -> QWidget:
        if key not in self._dialogs:
            self._dialogs[key] = make()
        dialog = self._dialogs[key]
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_training(self):
        from digitpad.ui.training_panel import TrainingPanel

        return self._dialog(
            "training",
            lambda: TrainingPanel(
                self.training, self.session, self.select_model, self.tasks, self.open_samples, self
            ),
        )

    def open_evaluation(self):
        from digitpad.ui.evaluation import EvaluationDialog

        dialog = self._dialog(
            "evaluation", lambda: EvaluationDialog(self.session, self.tasks, self)
        )
        dialog.start()
        return dialog

    def open_compare(self):
        from digitpad.ui.compare_view import CompareView

        return self._dialog(
            "compare", lambda: CompareView(self.session, self.reader, self.predicted, self)
        )

    def open_runs(self):
        from digitpad.ui.runs_view import RunsView

        dialog = self._dialog("runs", lambda: RunsView(self.training.ended, self))
        dialog.reload()
        return dialog

    def open_model_summary(self):
        from digitpad.ui.model_summary import ModelSummary

        dialog = self._dialog("summary", lambda: ModelSummary(self.session, self))
        dialog.show_model()
        return dialog

    def open_model_manager(self):
        from digitpad.ui.model_manager import ModelManager

        dialog = self._dialog(
            "models",
            lambda: ModelManager(
                self.session, self.select_model, self.status.say, self.exporter, self
            ),
        )
        dialog.reload()
        return dialog

    def open_samples(self):
        from digitpad.ui.samples_window import SamplesWindow

        dialog = self._dialog(
            "samples",
            lambda: SamplesWindow(self.session, self.tasks, self.teacher, self.select_model, self),
        )
        dialog.reload()
        return dialog

    def about_text(self) -> str:
        p = self.session.predictor
        return help_dialogs.about_text(p.card.summary() if p else "no model loaded")

    # --- settings and closing -----------------------------------------------------------------
    def _restore(self) -> None:
        geometry = settings.get("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(960, 700)
        self.set_pen_width(settings.get("canvas/penWidth"))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close at once: settings saved, dialogs closed, background work asked to stop; then
        `closed` has the app end the process (ui.app). Hiding to wait for the workers kept the
        process alive: Qt never quits for a window that closes while hidden."""
        if self._asking:  # closed again while the training question is up: the answer decides
            event.ignore()
            return
        if not self._closed and self.training.running() and not self._confirm_stop_training():
            event.ignore()
            return
        self._closed = True  # a run asked to stop is not asked about again
        store = settings.store()
        settings.put("window/geometry", self.saveGeometry(), store)
        settings.put("canvas/penWidth", self.canvas.pen_width, store)
        store.sync()
        for dialog in self._dialogs.values():
            dialog.close()
        for pool in (self.loads, self.tasks):
            pool.quit_all()
        super().closeEvent(event)
        self.closed.emit()

    def _confirm_stop_training(self) -> bool:
        """Ask only about what really runs: a run that ends while the question is up withdraws
        it, and the quit goes ahead (the run's outcome is saved or nothing was)."""
        self._asking = True
        self.training.ended.connect(self._withdraw_question)
        try:
            answer = QMessageBox.question(
                self,
                "Training in progress",
                STOP_TRAINING_QUESTION,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
        finally:
            self.training.ended.disconnect(self._withdraw_question)
            self._asking = False
        return answer == QMessageBox.StandardButton.Yes or not self.training.running()

    def _withdraw_question(self) -> None:
        for box in self.findChildren(QMessageBox):
            if box.isVisible() and box.text() == STOP_TRAINING_QUESTION:
                box.reject()
