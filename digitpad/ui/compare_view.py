"""View > Compare models: two to four models read the same drawing side by side, live while it
is drawn, each with its digit, how sure it is, its ten bars and its reading time; a column whose
digit differs from the others' stands out, and one line says whether the models agree.

The view reads the 28x28 image the window has just read (ui.reader), after every reading, so the
drawing is preprocessed once; the model reading the canvas is not asked again when it is also
compared (its answer is taken from the window's reading). Models load in the background through
the session and share its cache with the window: a model that is already loaded costs nothing
more, and one that fails to load says so in its own column while the others read on. Nothing is
read while the view is closed, and its models are let go then (the session's cache keeps the
last few, so opening it again is instant)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from digitpad import backends, comparison, models
from digitpad import session as events
from digitpad.session import ModelSession
from digitpad.ui import settings
from digitpad.ui.compare_column import ODD_ONE, CompareColumn
from digitpad.ui.preview import PreviewImage
from digitpad.ui.reader import Reader
from digitpad.ui.reading_panel import QUIET_STYLE

SEPARATOR = "\n"  # between the paths in the "compare/models" setting


class CompareView(QDialog):
    def __init__(
        self,
        session: ModelSession,
        reader: Reader,
        predicted: SignalInstance,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.setWindowTitle("Compare models")
        self.session, self.reader = session, reader
        self.columns: list[CompareColumn] = []
        self._placed = False
        intro = QLabel("Every model reads this 28 × 28 image of your drawing, as you draw.")
        intro.setStyleSheet(QUIET_STYLE)
        intro.setWordWrap(True)  # as wide as the columns, no wider
        self.add = QPushButton("Add model", objectName="compareAdd")
        self.add.setToolTip(
            f"Compare up to {comparison.MOST} models; each one compared stays "
            "loaded (memory: see the README's Performance section)"
        )
        self.add.clicked.connect(lambda: self.add_column(self._unused()))
        self.verdict = QLabel("", objectName="compareVerdict", wordWrap=True)
        self.preview = PreviewImage()  # what every model reads
        self.preview.setObjectName("comparePreview")
        self.preview.setFixedSize(3 * 28 + 4, 3 * 28 + 4)
        self.row = QHBoxLayout()
        self.row.setSpacing(8)
        words = QVBoxLayout()
        words.addWidget(intro)
        words.addWidget(self.verdict, 1)
        head = QHBoxLayout()
        head.addWidget(self.preview)
        head.addLayout(words, 1)
        head.addWidget(self.add, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(self.row)
        for path in self._remembered():
            self.add_column(path)
        session.subscribe(self._on_session)
        predicted.connect(self.read)

    # --- which models -----------------------------------------------------------------------
    def _remembered(self) -> list[Path]:
        """The models compared last time that are still there; else the model reading the
        canvas beside the other framework's bundled CNN (Keras vs PyTorch)."""
        saved = [Path(p) for p in settings.get("compare/models").split(SEPARATOR) if p]
        saved = [p for p in saved if p.is_file()][: comparison.MOST]
        if len(saved) >= comparison.FEWEST:
            return saved
        active = self.session.active or models.default_model("torch")
        mine = models.backend_of(active)
        others = [b for b in ("keras", "torch") if b != mine and b in backends.installed()]
        if others:
            return [active, models.default_model(others[0])]
        return [active, models.default_model(mine, "mlp")]  # one framework here: MLP vs CNN

    def _unused(self) -> Path:
        """A listed model no column reads with yet (the first listed, if all are used)."""
        used = {c.path for c in self.columns}
        listed = [p for p, _ in self.session.entries] or [models.default_model("torch")]
        return next((p for p in listed if p not in used), listed[0])

    def add_column(self, path: Path) -> CompareColumn:
        """Compare one more model (at most comparison.MOST)."""
        if len(self.columns) >= comparison.MOST:
            raise ValueError(f"at most {comparison.MOST} models are compared at once")
        column = CompareColumn(
            self.session, lambda: settings.get("model/device"), self._changed, self.remove_column
        )
        self.columns.append(column)
        self.row.addWidget(column)
        column.show()  # now, not at the next turn of the event loop: `_fit` counts it
        column.fill(self.session.entries)
        column.choose(path)
        self._fit()
        return column

    def remove_column(self, column: CompareColumn) -> None:
        """Stop comparing a column's model (down to comparison.FEWEST)."""
        if len(self.columns) <= comparison.FEWEST:
            return
        self.columns.remove(column)
        column.release()
        self.row.removeWidget(column)
        column.hide()
        column.deleteLater()
        self._changed()
        self._fit()

    def _fit(self) -> None:
        """As wide as the columns need (wider or narrower by one column)."""
        self.layout().activate()
        self.adjustSize()

    def _changed(self) -> None:
        """A column was added or removed, or its model chosen, ready or failed."""
        self.add.setEnabled(len(self.columns) < comparison.MOST)
        for column in self.columns:
            column.remove.setEnabled(len(self.columns) > comparison.FEWEST)
        settings.put("compare/models", SEPARATOR.join(str(c.path) for c in self.columns))
        self.read()

    def _on_session(self, event: str) -> None:
        if event == events.MODELS:
            for column in self.columns:
                column.fill(self.session.entries)

    # --- reading ----------------------------------------------------------------------------
    def read(self) -> None:
        """Read the image the window read last with every column's model and show who
        disagrees. Called after each of the window's readings, and when a model arrives."""
        if not self.isVisible():
            return
        image, shared = self.reader.image, self.reader.answer
        self.preview.set_image(image)
        hint = self.reader.canvas.hint
        for column in self.columns:
            if column.predictor is None:
                if not column.error:
                    column.show_answer(None, "Loading model…" if image is not None else hint)
                continue
            if image is None:
                column.show_answer(None, hint)
            elif shared is not None and shared[0] is column.predictor:
                column.show_answer(shared[1])  # the window read it with this very model just now
            else:
                try:
                    column.show_answer(comparison.read(column.predictor, image))
                except Exception as err:  # e.g. a GPU that went away: that column says so
                    column.read_failed(err)
        self._judge()

    def _judge(self) -> None:
        """Mark the columns that disagree and say in one line what the models read."""
        digits = [c.answer.digit if c.answer else None for c in self.columns]
        odd = comparison.outliers(digits)
        for i, column in enumerate(self.columns):
            column.set_disagrees(i in odd)
        by_digit: dict[int, list[str]] = defaultdict(list)
        for column, digit in zip(self.columns, digits, strict=True):
            if digit is not None:
                by_digit[digit].append(column.predictor.card.title)
        if not by_digit:
            self.verdict.setText("")
        elif odd:
            self.verdict.setStyleSheet(f"color: {ODD_ONE}; font-weight: bold;")
            self.verdict.setText(
                "The models disagree: "
                + " vs ".join(f"{d} ({', '.join(names)})" for d, names in by_digit.items())
            )
        else:
            [(digit, names)] = by_digit.items()
            self.verdict.setStyleSheet("")
            self.verdict.setText(
                f"{names[0]} reads {digit}"
                if len(names) == 1
                else f"Both models read {digit}"
                if len(names) == 2
                else f"All {len(names)} models read {digit}"
            )

    # --- opening and closing ----------------------------------------------------------------
    def _place(self) -> None:
        """First shown: to the right of the main window where the screen has room, else
        against the screen's right edge, over the reading panel: never over the canvas, where
        the person draws."""
        self._placed = True
        window = self.parentWidget()
        if window is None:
            return
        screen, main = window.screen().availableGeometry(), window.frameGeometry()
        self._fit()
        x = main.right() + 8
        if x + self.frameGeometry().width() > screen.right():
            x = max(screen.left(), screen.right() - self.frameGeometry().width())
        self.move(x, max(screen.top(), main.top()))

    def showEvent(self, event: QShowEvent) -> None:
        if not self._placed:
            self._place()
        for column in self.columns:
            if column.predictor is None and column.path is not None:
                column.choose(column.path)  # let go of when the view last closed
        super().showEvent(event)
        self.read()

    def hideEvent(self, event: QHideEvent) -> None:
        for column in self.columns:
            column.release()
        super().hideEvent(event)
