"""The status bar: passing messages on the left; on the right, a training indicator (it reopens
the panel), the model that reads the drawing, and the time the last reading took. Each has its
own fixed place, so a long message never runs into the model's name."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QStatusBar

from digitpad import backends
from digitpad.backends.base import Predictor
from digitpad.ui.reading_panel import ElidedLabel
from digitpad.ui.training_controller import Progress, TrainingController
from digitpad.ui.training_progress import duration

MESSAGE_MS = 8000


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


class StatusArea:
    def __init__(
        self, bar: QStatusBar, controller: TrainingController, open_training: Callable[[], None]
    ) -> None:
        self.bar = bar
        self.training = QPushButton(objectName="trainingIndicator")
        self.training.setFlat(True)
        self.training.setToolTip("A model is training in the background: click to see it")
        self.training.clicked.connect(open_training)
        self.training.hide()
        self.model = ElidedLabel("backendStatus", widest=330)
        self.latency = QLabel(objectName="latencyStatus")
        self.latency.setToolTip("How long the last reading took")
        self.latency.setMinimumWidth(52)
        for widget in (self.training, _separator(), self.model, _separator(), self.latency):
            bar.addPermanentWidget(widget)
        controller.started.connect(lambda config: self._training_text("Training: starting…"))
        controller.progressed.connect(self._on_progress)
        controller.ended.connect(self.training.hide)

    def show_model(self, predictor: Predictor | None) -> None:
        """The model's own title and where it runs, the framework only where the title does
        not say it ("PyTorch · PyTorch CNN · cpu" said PyTorch twice); all of it in the tip."""
        if predictor is None:
            self.model.setText("No model loaded")
            return
        title, framework = predictor.card.title, backends.label(predictor.backend)
        said = framework.split()[0].lower() in title.lower()
        parts = [title] if said else [title, framework]
        self.model.setText("  ·  ".join([*parts, predictor.device.upper()]))
        self.model.setToolTip(
            f"{predictor.card.summary()}\nRead by {framework} on {predictor.device.upper()}"
        )

    def say(self, text: str) -> None:
        self.bar.showMessage(text, MESSAGE_MS)

    def _training_text(self, text: str) -> None:
        self.training.setText(text)
        self.training.show()

    def _on_progress(self, p: Progress) -> None:
        left = f" · {duration(p.seconds_left)} left" if p.seconds_left is not None else ""
        self._training_text(f"Training {p.done:.0%}{left}")
