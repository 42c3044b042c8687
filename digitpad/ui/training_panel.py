"""Model > Retrain…: the settings of a run, its live progress and charts, and the result.

The run belongs to the window's TrainingController, so closing this panel neither hides nor
stops it (the status bar shows it and reopens the panel). A new model replaces the active one
only when it scored better on the MNIST test set, or when the user says so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from digitpad.session import ModelSession
from digitpad.ui.training_controller import Outcome, TrainingController
from digitpad.ui.training_form import TrainingForm
from digitpad.ui.training_progress import ERROR_STYLE, GOOD_STYLE, ProgressView
from digitpad.ui.workers import WorkerPool
from trainers.config import ConfigError


class TrainingPanel(QDialog):
    def __init__(
        self,
        controller: TrainingController,
        session: ModelSession,
        choose: Callable[[Path], None],
        pool: WorkerPool,
        open_samples: Callable[[], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.setWindowTitle("Retrain a model")
        self.controller, self.session, self.choose = controller, session, choose
        self.limit: tuple[int | None, int | None] = (None, None)  # (train, test) slice; tests
        self.last_model_path: str | None = None
        self.form = TrainingForm(pool)
        self.view = ProgressView()
        self.startButton = QPushButton("Start training", objectName="startTraining")
        self.startButton.setDefault(True)
        self.startButton.clicked.connect(self.start)
        self.cancelButton = QPushButton(
            "Cancel training", objectName="cancelTraining", enabled=False
        )
        self.cancelButton.clicked.connect(self.cancel)
        self.useButton = QPushButton("Use the new model", objectName="useNewModel")
        self.useButton.hide()
        self.useButton.clicked.connect(self._use_new_model)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        self.personaliseButton = QPushButton(
            "Personalise with your samples…", objectName="openPersonalise"
        )
        self.personaliseButton.setToolTip(
            "Fine-tune a copy of the active model on the digits you taught (Model > Your samples)"
        )
        self.personaliseButton.setVisible(open_samples is not None)
        if open_samples is not None:
            self.personaliseButton.clicked.connect(open_samples)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancelButton)
        buttons.addWidget(self.startButton)
        left = QVBoxLayout()
        left.addWidget(self.form)
        left.addWidget(self.form.network, 1)
        left.addLayout(buttons)
        left.addWidget(self.personaliseButton)
        right = QVBoxLayout()
        right.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.useButton)
        bottom.addStretch(1)
        bottom.addWidget(close)
        right.addLayout(bottom)
        grid = QGridLayout(self)
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(1, 1)
        self.resize(1080, 820)
        self.form.network.changed.connect(lambda: self._set_running(self.is_running()))

        controller.started.connect(lambda config: self._set_running(True))
        controller.status.connect(self.view.say)
        controller.progressed.connect(self.view.show_progress)
        controller.epochEnded.connect(self.view.show_epoch)
        controller.succeeded.connect(self._on_succeeded)
        controller.failed.connect(self._on_failed)
        controller.cancelled.connect(self._on_cancelled)
        if controller.running():
            self._set_running(True)

    def is_running(self) -> bool:
        return self.controller.running()

    def start(self) -> bool:
        if self.is_running():
            return False
        try:
            config = self.form.config()
        except ConfigError as err:
            self.view.say(f"Invalid settings: {err}", ERROR_STYLE)
            return False
        if self.form.data.currentData() == "folder" and not self.form.folder:
            self.view.say("Choose the folder that holds the MNIST files first.", ERROR_STYLE)
            return False
        self.form.save(config)
        self.view.reset(config.epochs)
        self.useButton.hide()
        return self.controller.start(
            config,
            self.form.data.currentData(),
            self.form.folder,
            self.limit,
            self.form.tensorboard_folder(),
        )

    def cancel(self) -> None:
        if self.is_running():
            self.controller.cancel()
            self.view.say("Stopping after the current batch…")
            self.cancelButton.setEnabled(False)

    def _set_running(self, running: bool) -> None:
        self.startButton.setEnabled(not running and self.form.network.valid())
        self.cancelButton.setEnabled(running)
        for widget in self.form.widgets():
            widget.setEnabled(not running)

    def _on_succeeded(self, outcome: Outcome) -> None:
        self._set_running(False)
        self.view.end("Done", done=True)
        self.last_model_path = outcome.path
        self.session.refresh()
        current = self.session.predictor.card if self.session.predictor else None
        new = f"The new model scored {outcome.test_accuracy:.2%} on the MNIST test set"
        if (
            current is None
            or current.test_accuracy is None
            or outcome.test_accuracy > current.test_accuracy
        ):
            self.choose(Path(outcome.path))
            before = (
                f" (better than {current.title}, {current.test_accuracy:.2%})"
                if current and current.test_accuracy is not None
                else ""
            )
            self.view.say(f"{new}{before} and is now in use. Saved as {outcome.path}.", GOOD_STYLE)
            return
        self.view.say(
            f"{new}; {current.title} stays in use, it scored "
            f"{current.test_accuracy:.2%}. The new model is saved ({outcome.path}) "
            "and listed with the others."
        )
        self.useButton.show()

    def _use_new_model(self) -> None:
        if self.last_model_path:
            self.choose(Path(self.last_model_path))
            self.useButton.hide()
            self.view.say(f"Now using {Path(self.last_model_path).name}.", GOOD_STYLE)

    def _on_failed(self, message: str) -> None:
        self._set_running(False)
        self.view.end("Failed")
        self.view.say(f"Training failed: {message}. The current model is unchanged.", ERROR_STYLE)

    def _on_cancelled(self) -> None:
        self._set_running(False)
        self.view.end("Cancelled")
        self.view.say(
            "Training cancelled. No model was saved; the current model is unchanged. "
            "The run is kept in Model > Training runs."
        )
