"""One model's column in View > Compare models: which model, its one-line loading or error
message, the digit it reads, how sure it is, its ten bars and the time the reading took. The
column loads its model through the session (in the background, shared with the window's cache)
and drops a load that arrives after another model was chosen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout

from digitpad import certainty
from digitpad.backends.base import Predictor
from digitpad.card import ModelCard
from digitpad.comparison import Answer
from digitpad.session import ModelSession
from digitpad.ui.model_choices import entry_label
from digitpad.ui.probabilities import ProbabilityBars
from digitpad.ui.reading_panel import ERROR_STYLE, QUIET_STYLE, ElidedLabel

WIDTH = 240
CALM = "#compareColumn { border: 1px solid palette(mid); border-radius: 6px; }"
ODD_ONE = "#d9480f"  # a column whose digit differs from the others'
STANDS_OUT = (
    f"#compareColumn {{ border: 2px solid {ODD_ONE}; border-radius: 6px; background: #fff4e6; }}"
)


class CompareColumn(QFrame):
    def __init__(
        self,
        session: ModelSession,
        device: Callable[[], str],
        changed: Callable[[], None],
        remove: Callable[[CompareColumn], None],
    ) -> None:
        """`changed` is called when another model is chosen, and when it is ready or failed."""
        super().__init__(objectName="compareColumn")
        self.session, self.device, self.changed = session, device, changed
        self.path: Path | None = None
        self.predictor: Predictor | None = None
        self.error = ""  # why the model could not be loaded (or read), in plain words
        self.answer: Answer | None = None
        self.disagrees = False
        self._request = 0

        self.model = QComboBox(objectName="compareModel")
        self.model.setToolTip("The model this column reads with")
        self.model.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.model.setMinimumContentsLength(10)
        self.model.activated.connect(lambda i: self.choose(Path(self.model.itemData(i))))
        self.remove = QToolButton(objectName="compareRemove", text="✕")
        self.remove.setToolTip("Stop comparing this model")
        self.remove.setAutoRaise(True)
        self.remove.clicked.connect(lambda: remove(self))
        self.status = ElidedLabel("compareStatus")
        self.digit = QLabel("", objectName="compareDigit")
        big = QFont(self.font())
        big.setPointSize(40)
        big.setBold(True)
        self.digit.setFont(big)
        self.digit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.digit.setFixedHeight(QFontMetrics(big).height() + 4)
        self.confidence = QLabel("", objectName="compareConfidence", wordWrap=True)
        self.confidence.setAlignment(Qt.AlignmentFlag.AlignCenter)  # "Not sure: ..." takes two
        self.confidence.setFixedHeight(2 * QFontMetrics(self.font()).lineSpacing() + 4)
        self.bars = ProbabilityBars(teaches=False)
        self.bars.setObjectName("compareBars")
        self.bars.setMaximumHeight(10 * 24)
        self.time = ElidedLabel("compareTime")
        self.time.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time.setStyleSheet(QUIET_STYLE)

        head = QHBoxLayout()
        head.addWidget(self.model, 1)
        head.addWidget(self.remove)
        top = QVBoxLayout(self)
        top.setSpacing(4)
        top.addLayout(head)
        for widget in (self.status, self.digit, self.confidence, self.bars, self.time):
            top.addWidget(widget)
        self.setFixedWidth(WIDTH)
        self.setStyleSheet(CALM)

    # --- the model ------------------------------------------------------------------------
    def fill(self, entries: list[tuple[Path, ModelCard]]) -> None:
        """List the session's models (as Model > Choose model names them), this one marked."""
        self.model.clear()
        for path, card in entries:
            self.model.addItem(entry_label(card), str(path))
            self.model.setItemData(
                self.model.count() - 1, card.summary(), Qt.ItemDataRole.ToolTipRole
            )
        if self.path is not None and self.model.findData(str(self.path)) < 0:
            self.model.addItem(self.path.name, str(self.path))  # e.g. a file loaded from elsewhere
        self.model.setCurrentIndex(self.model.findData(str(self.path)) if self.path else -1)

    def choose(self, path: Path) -> None:
        """Read with the model file `path` from now on; it loads in the background (or comes
        from the session's cache at once)."""
        self.path, self.predictor, self.error, self.answer = Path(path), None, "", None
        self.model.setCurrentIndex(self.model.findData(str(self.path)))
        self._request += 1
        request = self._request
        card = self.session.card(self.path)
        self._say(f"Loading {card.title if card else self.path.name}…")
        self.changed()
        self.session.fetch(
            self.path,
            self.device(),
            lambda p: self._ready(request, p),
            lambda message: self._failed(request, message),
        )

    def release(self) -> None:
        """Let go of the model (the view closed); `choose(self.path)` takes it back."""
        self._request += 1
        self.predictor, self.answer = None, None

    def _ready(self, request: int, predictor: Predictor) -> None:
        if request != self._request:
            return  # another model was chosen meanwhile
        self.predictor = predictor
        self._say("")
        self.changed()

    def _failed(self, request: int, message: str) -> None:
        if request != self._request:
            return
        self.error = message
        reason = message.removeprefix(f"{self.path}: ")  # the line is short: the reason first
        self._say(f"Could not load: {reason}", error=True)
        self.status.setToolTip(message)  # the whole of it, naming the file
        self.show_answer(None, "No model")
        self.changed()

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else QUIET_STYLE)
        self.status.setText(text)

    # --- the reading ------------------------------------------------------------------------
    def show_answer(self, answer: Answer | None, hint: str = "") -> None:
        """Show an answer, or no digit with a hint ("Draw a digit", "Loading…")."""
        self.answer = answer if answer is not None and answer.digit is not None else None
        if self.answer is None:
            self.bars.set_probabilities(None)
            self.digit.setText("")
            self.confidence.setText(hint)
            self.time.setText("")
            return
        self.bars.set_probabilities(self.answer.probabilities)
        self.digit.setText(str(self.answer.digit))
        self.confidence.setText(certainty.describe(self.answer.probabilities))
        device = self.predictor.device if self.predictor else "cpu"
        where = "" if device == "cpu" else f" on {device}"
        self.time.setText(f"read in {self.answer.ms:.1f} ms{where}")

    def read_failed(self, err: Exception) -> None:
        self._say(f"Could not read the drawing: {err}", error=True)
        self.show_answer(None, "No reading")

    def set_disagrees(self, disagrees: bool) -> None:
        """Make the column stand out when its digit differs from the others'."""
        if disagrees == self.disagrees:
            return
        self.disagrees = disagrees
        self.setStyleSheet(STANDS_OUT if disagrees else CALM)
        self.digit.setStyleSheet(f"color: {ODD_ONE};" if disagrees else "")
