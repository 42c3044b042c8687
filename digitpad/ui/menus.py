"""The window's actions, menus and toolbar, with their shortcuts and tips. Undo and Redo follow
the canvas's history: enabled when there is a step, with the step named in their tips. Their
labels stay "Undo" and "Redo" (QUndoStack's own actions became "Undo Stroke", "Undo Clear"...,
and the toolbar shifted sideways each time)."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QLabel, QMainWindow, QSlider, QToolBar

from digitpad.pen import WIDTHS as PEN_WIDTHS
from digitpad.ui import help_dialogs, settings
from digitpad.ui.canvas import UNDO_STEPS


def build(window: QMainWindow) -> SimpleNamespace:
    """Create every action of `window` (a MainWindow) and put them in menus and a toolbar."""
    K = QKeySequence.StandardKey

    def action(text: str, slot, shortcut=None, tip: str = "") -> QAction:
        act = QAction(text, window)
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, list) else [shortcut]
            act.setShortcuts([QKeySequence(k) for k in keys])
        act.setStatusTip(tip)
        act.setToolTip(tip or text.replace("&", "").rstrip("…"))
        act.triggered.connect(slot)
        window.addAction(act)
        return act

    canvas = window.canvas
    a = SimpleNamespace()
    a.open = action("&Open image…", window.choose_image, K.Open, "Classify a picture file")
    a.save = action("&Save drawing as PNG…", window.choose_save, K.Save)
    a.quit = action("&Quit", window.close, K.Quit)
    a.quit.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # from dialogs too
    a.undo = action("&Undo", canvas.history.undo, "Ctrl+Z")
    a.redo = action("&Redo", canvas.history.redo, ["Ctrl+Shift+Z", "Ctrl+Y"])
    _follow_history(canvas.history, a.undo, a.redo)
    a.clear = action("&Clear", canvas.clear, ["Esc", "Delete"], "Wipe the drawing (undoable)")
    a.eraser = action("&Eraser", window.toggle_eraser, "E", "Erase with the left button too")
    a.eraser.setCheckable(True)
    thinner = action("Thinner pen", lambda: window.set_pen_width(canvas.pen_width - 2), "[")
    thicker = action("Thicker pen", lambda: window.set_pen_width(canvas.pen_width + 2), "]")
    a.load_model = action(
        "&Load model file…",
        window.choose_model_file,
        tip="Read drawings with a model file from anywhere",
    )
    a.retrain = action(
        "&Retrain…", window.open_training, "Ctrl+T", "Train a new model in the background"
    )
    a.evaluate = action(
        "&Evaluate…",
        window.open_evaluation,
        "Ctrl+E",
        "Accuracy and mistakes on the MNIST test set",
    )
    a.export = action(
        "E&xport model…",
        window.export_model,
        tip="Save the model as ONNX, TorchScript, TFLite or SavedModel for other "
        "programs, checked against the original",
    )
    a.runs = action(
        "&Training runs…",
        window.open_runs,
        tip="Every training run kept: compare their curves, export them, delete",
    )
    a.summary = action(
        "Model s&ummary…",
        window.open_model_summary,
        tip="The active model's layers, shapes, weights and multiply-adds",
    )
    a.manage = action(
        "&Manage models…", window.open_model_manager, tip="Rename, delete or export models"
    )
    a.samples = action(
        "Your &samples…",
        window.open_samples,
        tip="The digits you taught: see, delete, export, personalise a model",
    )
    teacher = window.teacher
    a.teach = [
        action(
            f"Teach: this is a {d}",
            lambda _=False, d=d: teacher.teach(d),
            str(d),
            f"Keep the drawing as a sample of {d} for personalisation",
        )
        for d in range(10)
    ]
    a.confirm = action(
        "Teach: the reading is right",
        teacher.confirm,
        ["Return", "Enter"],
        "Keep the drawing as a sample of the digit read",
    )
    a.forget = action(
        "&Forget last sample",
        teacher.forget_last,
        "Ctrl+Backspace",
        "Remove the last digit you taught",
    )
    shortcuts = action(
        "&Keyboard shortcuts", lambda: help_dialogs.show_shortcuts(window), K.HelpContents
    )
    logs = action(
        "Show &log folder",
        lambda: help_dialogs.show_log_folder(window, window.status.say),
        tip="The log holds the details of every error, for a bug report",
    )
    about = action("&About digitpad", lambda: help_dialogs.show_about(window))
    a.why = action(
        "Show &why",
        window.toggle_why,
        "W",
        "Colour the 28x28 preview by how much each pixel pushed the network towards "
        "its answer (red: towards it, blue: away)",
    )
    a.why.setCheckable(True)
    a.why.setChecked(bool(settings.get("view/showWhy")))
    a.compare = action(
        "&Compare models…",
        window.open_compare,
        tip="Two to four models read the same drawing side by side",
    )
    a.number = action(
        "&Number mode",
        window.toggle_numbers,
        "N",
        "Write a whole number on a wide strip and read every digit",
    )
    a.number.setCheckable(True)
    a.number.setChecked(bool(settings.get("view/numberMode")))
    a.inside = action(
        "&Inside the network",
        window.toggle_inside,
        "I",
        "Every layer's output for the drawing: feature maps, units, the output",
    )
    a.inside.setCheckable(True)
    a.inside.setChecked(bool(settings.get("view/insideNetwork")))

    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([a.open, a.save])
    file_menu.addSeparator()
    file_menu.addAction(a.quit)
    edit = bar.addMenu("&Edit")
    edit.setToolTipsVisible(True)
    edit.addActions([a.undo, a.redo, a.clear])
    edit.addSeparator()
    edit.addActions([a.eraser, thinner, thicker])
    edit.addSeparator()
    edit.addActions([a.confirm, a.forget])
    view = bar.addMenu("&View")
    view.addActions([a.number, a.why])
    view.addAction(a.inside)
    view.addSeparator()
    view.addAction(a.compare)
    a.model_menu = bar.addMenu("&Model")
    a.choose_menu = a.model_menu.addMenu("&Choose model")
    a.model_menu.addActions([a.load_model, a.export, a.manage, a.samples])
    a.model_menu.addSeparator()
    a.model_menu.addActions([a.retrain, a.runs, a.evaluate, a.summary])
    help_menu = bar.addMenu("&Help")
    help_menu.addActions([shortcuts, logs, about])

    tools = QToolBar("Drawing", objectName="drawingToolBar")
    tools.setMovable(False)
    tools.addActions([a.undo, a.redo, a.clear])
    tools.addSeparator()
    tools.addAction(a.eraser)
    tools.addWidget(QLabel(" Pen "))
    a.pen = QSlider(Qt.Orientation.Horizontal, objectName="penWidth")
    a.pen.setRange(*PEN_WIDTHS)
    a.pen.setFixedWidth(110)
    a.pen.setToolTip("Pen width")
    a.pen.valueChanged.connect(window.set_pen_width)
    tools.addWidget(a.pen)
    tools.addSeparator()
    tools.addAction(a.number)
    tools.addAction(a.retrain)
    window.addToolBar(tools)
    return a


def _follow_history(history: QUndoStack, undo: QAction, redo: QAction) -> None:
    """Enable Undo and Redo when there is a step, and name the step in their tips. The slots
    use the signals' values only: the stack also signals while it is being destroyed."""
    history.canUndoChanged.connect(undo.setEnabled)
    history.canRedoChanged.connect(redo.setEnabled)
    history.undoTextChanged.connect(lambda what: _name_step(undo, "Undo", what))
    history.redoTextChanged.connect(lambda what: _name_step(redo, "Redo", what))
    undo.setEnabled(history.canUndo())
    redo.setEnabled(history.canRedo())
    _name_step(undo, "Undo", history.undoText())
    _name_step(redo, "Redo", history.redoText())


def _name_step(act: QAction, verb: str, what: str) -> None:
    tip = f"{verb} {what.lower()}" if what else f"Nothing to {verb.lower()}"
    tip += f" (the last {UNDO_STEPS} steps of the drawing are kept)"
    act.setToolTip(tip)
    act.setStatusTip(tip)
