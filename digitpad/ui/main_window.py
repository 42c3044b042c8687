"""The main window: canvas on the left; prediction, probabilities and the network's view on the
right; menus, toolbar and a status bar. Models load in the background; drawing never waits."""

from __future__ import annotations

import time
from importlib import metadata
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QFont, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSlider,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from digitpad import __version__, models
from digitpad.images import READABLE, read_image
from digitpad.predictors import BACKENDS
from digitpad.preprocess import to_ink, to_mnist
from digitpad.resources import asset
from digitpad.ui import settings
from digitpad.ui.canvas import DrawingCanvas
from digitpad.ui.model_loader import ModelLoader
from digitpad.ui.preview import PreviewImage
from digitpad.ui.probabilities import ProbabilityBars

NO_DIGIT = "–"
SHORTCUTS = [
    ("Draw", "Left mouse button"),
    ("Erase", "Right mouse button, or E for the eraser tool"),
    ("Undo / Redo", "Ctrl+Z / Ctrl+Shift+Z"),
    ("Clear", "Esc or Delete"),
    ("Thinner / thicker pen", "[ / ]"),
    ("Open an image to classify", "Ctrl+O (or drop a file on the window)"),
    ("Save the drawing", "Ctrl+S"),
    ("Retrain", "Ctrl+T"),
    ("Evaluate the model", "Ctrl+E"),
    ("Quit", "Ctrl+Q"),
]


class SquareHolder(QWidget):
    """Keeps the canvas square and centred, whatever shape the window is."""

    def __init__(self, child: QWidget) -> None:
        super().__init__()
        self.child = child
        child.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(child.minimumSize())

    def sizeHint(self) -> QSize:
        return self.child.sizeHint()

    def resizeEvent(self, event) -> None:
        side = min(self.width(), self.height())
        self.child.setGeometry((self.width() - side) // 2, (self.height() - side) // 2, side, side)


class MainWindow(QMainWindow):
    predicted = Signal()     # after every prediction shown (or cleared)
    modelChanged = Signal()  # a model became active

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("digitpad")
        self.setWindowIcon(QIcon(str(asset("icons", "digitpad.png"))))
        self.setAcceptDrops(True)
        self.predictor = None
        self.model_path: Path | None = None
        self.last_latency_ms: float | None = None
        self.last_error = ""
        self._wanted: Path | None = None
        self._training_panel = None
        self._evaluation = None
        self.loader = ModelLoader(self)
        self.loader.loaded.connect(self._on_model_loaded)
        self.loader.failed.connect(self._on_model_failed)
        self._build()
        self._restore()
        self.refresh_models()
        QTimer.singleShot(0, self._load_initial_model)

    # --- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        self.canvas = DrawingCanvas()
        self.canvas.changed.connect(self.predict_drawing)
        self.canvas.changed.connect(self._update_actions)

        self.modelSelector = QComboBox(objectName="modelSelector")
        self.modelSelector.setToolTip("Which trained network reads your drawing")
        self.modelSelector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.modelSelector.setMinimumContentsLength(16)
        self.modelSelector.activated.connect(self._on_selector)

        self.predictionLabel = QLabel(NO_DIGIT, objectName="predictionLabel")
        big = QFont(self.font())
        big.setPointSize(64)
        big.setBold(True)
        self.predictionLabel.setFont(big)
        self.predictionLabel.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.predictionLabel.setMinimumHeight(92)
        self.predictionLabel.setAccessibleName("Predicted digit")
        self.confidenceLabel = QLabel("Draw a digit", objectName="confidenceLabel")
        self.confidenceLabel.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.errorBanner = QLabel(objectName="errorBanner")
        self.errorBanner.setWordWrap(True)
        self.errorBanner.setStyleSheet(
            "QLabel { background: #fde8e8; color: #8a1c1c; border: 1px solid #f0b4b4;"
            " border-radius: 4px; padding: 6px; }")
        self.errorBanner.hide()
        self.probabilityBars = ProbabilityBars()
        self.previewImage = PreviewImage()
        self.trainButton = QPushButton("Retrain…", objectName="trainButton")
        self.trainButton.setToolTip("Train a new model on MNIST in the background (Ctrl+T)")
        self.trainButton.clicked.connect(self.open_training)

        side = QVBoxLayout()
        side.addWidget(QLabel("Model"))
        side.addWidget(self.modelSelector)
        side.addWidget(self.errorBanner)
        side.addWidget(self.predictionLabel)
        side.addWidget(self.confidenceLabel)
        side.addSpacing(6)
        side.addWidget(self.probabilityBars, 3)
        side.addSpacing(6)
        caption = QLabel("What the network sees (28 × 28)")
        caption.setStyleSheet("color: palette(placeholder-text);")
        side.addWidget(caption)
        side.addWidget(self.previewImage, 2)
        side.addWidget(self.trainButton)
        panel = QFrame()
        panel.setLayout(side)
        panel.setFixedWidth(260)

        body = QHBoxLayout()
        body.addWidget(SquareHolder(self.canvas), 1)
        body.addWidget(panel)
        central = QWidget()
        central.setLayout(body)
        self.setCentralWidget(central)

        self.backendStatus = QLabel()
        self.latencyStatus = QLabel()
        self.statusBar().addPermanentWidget(self.backendStatus)
        self.statusBar().addPermanentWidget(self.latencyStatus)
        self._build_actions()

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.openAction = self._action("&Open image…", self.choose_image, K.Open,
                                       "Classify a picture file")
        self.saveAction = self._action("&Save drawing as PNG…", self.choose_save, K.Save)
        quit_action = self._action("&Quit", self.close, K.Quit)
        self.undoAction = self._action("&Undo", self.canvas.undo, "Ctrl+Z")
        self.redoAction = self._action("&Redo", self.canvas.redo, ["Ctrl+Shift+Z", "Ctrl+Y"])
        self.clearAction = self._action("&Clear", self.canvas.clear, ["Esc", "Delete"])
        self.eraserAction = self._action("&Eraser", self._toggle_eraser, "E",
                                         "Erase with the left button too")
        self.eraserAction.setCheckable(True)
        thinner = self._action("Thinner pen", lambda: self.set_pen_width(self.canvas.pen_width - 2),
                               "[")
        thicker = self._action("Thicker pen", lambda: self.set_pen_width(self.canvas.pen_width + 2),
                               "]")
        self.loadModelAction = self._action("&Load model file…", self.choose_model_file)
        self.retrainAction = self._action("&Retrain…", self.open_training, "Ctrl+T",
                                          "Train a new model in the background")
        self.evaluateAction = self._action("&Evaluate…", self.open_evaluation, "Ctrl+E",
                                           "Accuracy and mistakes on the MNIST test set")
        self.modelsAction = self._action("&Manage models…", self.open_model_manager)
        shortcuts = self._action("&Keyboard shortcuts", self.show_shortcuts, K.HelpContents)
        about = self._action("&About digitpad", self.show_about)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.openAction, self.saveAction])
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        edit = bar.addMenu("&Edit")
        edit.addActions([self.undoAction, self.redoAction, self.clearAction])
        edit.addSeparator()
        edit.addActions([self.eraserAction, thinner, thicker])
        self.modelMenu = bar.addMenu("&Model")
        self.modelChoices = self.modelMenu.addMenu("&Choose model")
        self.modelGroup = QActionGroup(self)
        self.modelMenu.addActions([self.loadModelAction, self.modelsAction])
        self.modelMenu.addSeparator()
        self.modelMenu.addActions([self.retrainAction, self.evaluateAction])
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([shortcuts, about])

        tools = QToolBar("Drawing", objectName="drawingToolBar")
        tools.setMovable(False)
        tools.addActions([self.undoAction, self.redoAction, self.clearAction])
        tools.addSeparator()
        tools.addAction(self.eraserAction)
        tools.addWidget(QLabel(" Pen "))
        self.penSlider = QSlider(Qt.Orientation.Horizontal, objectName="penWidth")
        self.penSlider.setRange(2, 60)
        self.penSlider.setFixedWidth(140)
        self.penSlider.setToolTip("Pen width")
        self.penSlider.valueChanged.connect(self.set_pen_width)
        tools.addWidget(self.penSlider)
        tools.addSeparator()
        tools.addAction(self.retrainAction)
        self.addToolBar(tools)
        self._update_actions()

    # --- drawing and prediction ---------------------------------------------------------
    def set_pen_width(self, width: int) -> None:
        width = int(np.clip(width, self.penSlider.minimum(), self.penSlider.maximum()))
        self.canvas.pen_width = width
        if self.penSlider.value() != width:
            self.penSlider.setValue(width)

    def _toggle_eraser(self) -> None:
        self.canvas.eraser = self.eraserAction.isChecked()
        self.canvas.setCursor(Qt.CursorShape.PointingHandCursor if self.canvas.eraser
                              else Qt.CursorShape.CrossCursor)

    def _update_actions(self) -> None:
        self.undoAction.setEnabled(self.canvas.can_undo())
        self.redoAction.setEnabled(self.canvas.can_redo())
        self.clearAction.setEnabled(not self.canvas.is_blank())

    def predict_drawing(self) -> None:
        """Read the canvas now: preprocess, predict, show. Blank means no guess."""
        started = time.perf_counter()
        digit = None if self.canvas.is_blank() else to_mnist(self.canvas.ink())
        self.show_prediction(digit, started)

    def show_prediction(self, digit: np.ndarray | None, started: float) -> None:
        self.previewImage.set_image(digit)
        if digit is None:
            self.predictionLabel.setText(NO_DIGIT)
            self.confidenceLabel.setText("Draw a digit")
            self.probabilityBars.set_probabilities(None)
        elif self.predictor is None:
            self.predictionLabel.setText(NO_DIGIT)
            self.confidenceLabel.setText("Loading model…")
            self.probabilityBars.set_probabilities(None)
        else:
            probs = self.predictor.predict(digit[None])[0]
            self.last_latency_ms = (time.perf_counter() - started) * 1000
            best = int(probs.argmax())
            self.predictionLabel.setText(str(best))
            self.confidenceLabel.setText(f"{probs[best]:.1%} confident")
            self.probabilityBars.set_probabilities(probs)
            self.latencyStatus.setText(f"{self.last_latency_ms:.1f} ms")
        self.predicted.emit()

    # --- models -------------------------------------------------------------------------
    def refresh_models(self) -> None:
        """Fill the selector and the Model menu from the bundled and user folders."""
        current = self._wanted or self.model_path
        self.modelSelector.blockSignals(True)
        self.modelSelector.clear()
        for action in self.modelGroup.actions():
            self.modelGroup.removeAction(action)
        self.modelChoices.clear()
        entries = models.list_models()
        known = {str(p) for p, _ in entries}
        if current and str(current) not in known and Path(current).exists():
            try:
                entries.append((Path(current), models.read_card(Path(current))))
            except models.ModelFileError:
                pass
        for path, card in entries:
            acc = f"  ·  {card.test_accuracy:.2%}" if card.test_accuracy is not None else ""
            where = "" if card.bundled else "  (yours)"
            label = f"{card.title}{acc}{where}"
            self.modelSelector.addItem(label, str(path))
            self.modelSelector.setItemData(self.modelSelector.count() - 1, card.summary(),
                                           Qt.ItemDataRole.ToolTipRole)
            action = QAction(label, self.modelGroup, checkable=True)
            action.setData(str(path))
            action.triggered.connect(lambda _=False, p=path: self.select_model(p))
            self.modelChoices.addAction(action)
        self.modelSelector.blockSignals(False)
        self._sync_selection(current)

    def _sync_selection(self, path: Path | None) -> None:
        index = self.modelSelector.findData(str(path)) if path else -1
        if index >= 0:
            self.modelSelector.setCurrentIndex(index)
        for action in self.modelGroup.actions():
            action.setChecked(action.data() == str(path))

    def _on_selector(self, index: int) -> None:
        self.select_model(Path(self.modelSelector.itemData(index)))

    def _load_initial_model(self) -> None:
        saved = settings.get("model/path")
        path = Path(saved) if saved and Path(saved).exists() else models.default_model("torch")
        self.select_model(path)

    def select_model(self, path: Path) -> None:
        """Switch to a model file; it loads in the background, the old one serves meanwhile."""
        path = Path(path)
        self._wanted = path
        self._sync_selection(path)
        self.backendStatus.setText(f"Loading {path.name}…")
        if self.predictor is None:
            self.confidenceLabel.setText("Loading model…")
        self.loader.request(path, settings.get("model/device"))

    def _on_model_loaded(self, path: str, predictor) -> None:
        if self._wanted is not None and str(self._wanted) != path:
            return  # the user has already asked for another one
        self._wanted = None
        self.predictor, self.model_path = predictor, Path(path)
        self.last_error = ""
        self.errorBanner.hide()
        settings.put("model/path", path)
        if self.modelSelector.findData(path) < 0:
            self.refresh_models()
        self._sync_selection(Path(path))
        self._show_backend_status()
        self.modelChanged.emit()
        self.predict_drawing()

    def _on_model_failed(self, path: str, message: str) -> None:
        if self._wanted is not None and str(self._wanted) != path:
            return
        self._wanted = None
        self.last_error = message
        self.errorBanner.setText(f"Could not load the model: {message}")
        self.errorBanner.show()
        self.statusBar().showMessage("The model could not be loaded", 8000)
        self._sync_selection(self.model_path)
        self._show_backend_status()
        if self.predictor is None:
            self.confidenceLabel.setText("No model: choose another one")
        self.modelChanged.emit()

    def _show_backend_status(self) -> None:
        p = self.predictor
        self.backendStatus.setText(
            f"{BACKENDS[p.backend]}  ·  {p.card.title}  ·  {p.device}" if p else "No model loaded")

    def model_deleted(self, path: Path) -> None:
        """A model file was deleted: drop it, and fall back to the bundled one if it was active."""
        self.loader.forget(path)
        if self.model_path == Path(path):
            self.predictor, self.model_path = None, None
            self.select_model(models.default_model("torch"))

    def choose_model_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Load model file", str(models.user_dir()),
            "Model files (*.pt *.keras);;PyTorch (*.pt);;Keras (*.keras)")
        if name:
            self.select_model(Path(name))

    # --- images -------------------------------------------------------------------------
    def choose_image(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open image", "",
                                              f"Images ({' '.join(READABLE)})")
        if name:
            self.open_image(Path(name))

    def open_image(self, path: Path) -> bool:
        """Put a picture on the canvas and read it. An unreadable file is reported, not fatal."""
        try:
            ink = to_ink(read_image(path))
        except (OSError, ValueError) as err:
            self.statusBar().showMessage(str(err), 8000)
            box = QMessageBox(QMessageBox.Icon.Warning, "Cannot open image", str(err),
                              QMessageBox.StandardButton.Ok, self)
            box.open()  # window-modal but not blocking: the event loop keeps running
            return False
        self.canvas.show_picture(ink)
        self.statusBar().showMessage(f"Opened {Path(path).name}", 5000)
        return True

    def choose_save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save drawing", "digit.png", "PNG (*.png)")
        if name:
            self.save_drawing(Path(name))

    def save_drawing(self, path: Path) -> bool:
        path = Path(path).with_suffix(".png") if not Path(path).suffix else Path(path)
        ok = self.canvas.image().save(str(path), "PNG")
        self.statusBar().showMessage(f"Saved {path}" if ok else f"Could not save {path}", 5000)
        return ok

    def dragEnterEvent(self, event) -> None:
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.open_image(Path(url.toLocalFile()))
                event.acceptProposedAction()
                return

    # --- other windows ------------------------------------------------------------------
    def open_training(self) -> None:
        from digitpad.ui.training_panel import TrainingPanel

        if self._training_panel is None:
            self._training_panel = TrainingPanel(self)
        self._training_panel.show()
        self._training_panel.raise_()
        self._training_panel.activateWindow()

    def open_evaluation(self) -> None:
        from digitpad.ui.evaluation import EvaluationDialog

        if self._evaluation is None:
            self._evaluation = EvaluationDialog(self)
        self._evaluation.show()
        self._evaluation.raise_()
        self._evaluation.start()

    def open_model_manager(self) -> None:
        from digitpad.ui.model_manager import ModelManager

        ModelManager(self).open()

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{what}</b>&nbsp;&nbsp;</td><td>{keys}</td></tr>"
                       for what, keys in SHORTCUTS)
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts",
                          f"<table>{rows}</table>", QMessageBox.StandardButton.Close, self)
        box.open()

    def about_text(self) -> str:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        def version(dist: str) -> str:
            try:
                return metadata.version(dist)
            except metadata.PackageNotFoundError:
                return "not installed"

        card = self.predictor.card.summary() if self.predictor else "no model loaded"
        return (
            f"<h3>digitpad {__version__}</h3>"
            "<p>Draw a digit; a network trained on MNIST reads it as you draw.</p>"
            f"<p>Qt {qVersion()} (PySide6 {pyside_version})<br>"
            f"PyTorch {version('torch')}<br>TensorFlow {version('tensorflow')}, "
            f"Keras {version('keras')}</p>"
            f"<p><b>Active model:</b> {card}</p>"
            "<p>MNIST by Yann LeCun and Corinna Cortes, CC BY-SA 3.0.</p>"
        )

    def show_about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, "About digitpad", self.about_text(),
                          QMessageBox.StandardButton.Close, self)
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        box.open()

    # --- settings -----------------------------------------------------------------------
    def _restore(self) -> None:
        geometry = settings.get("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(860, 620)
        self.set_pen_width(settings.get("canvas/penWidth"))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._training_panel is not None and not self._training_panel.confirm_close():
            event.ignore()
            return
        store = settings.store()
        settings.put("window/geometry", self.saveGeometry(), store)
        settings.put("canvas/penWidth", self.canvas.pen_width, store)
        store.sync()
        self.loader.wait(10_000)
        for dialog in (self._evaluation, self._training_panel):
            if dialog is not None:
                dialog.close()
        super().closeEvent(event)
