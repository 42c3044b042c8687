"""The two places a person picks a model, the selector and Model > Choose model, kept in step
with the session: they list its models and mark the one asked for (even while it loads). The
selector shortens long names in the middle (the end says which of several alike it is) and
has the whole name in its tooltip."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QPaintEvent
from PySide6.QtWidgets import QComboBox, QMenu, QStyle, QStyleOptionComboBox, QStylePainter, QWidget

from digitpad import session as events
from digitpad.session import ModelSession

SELECTOR_TIP = "Which trained network reads your drawing"


class MiddleElidedComboBox(QComboBox):
    """A combo box whose shown text, and list, are shortened in the middle, not cut at the end
    ("PyTorch CNN · personal · 99.19% (y")."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName=name)
        self.view().setTextElideMode(Qt.TextElideMode.ElideMiddle)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QStylePainter(self)
        option = self._option()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self._elided(option)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def shown_text(self) -> str:
        """The current entry as drawn at the box's present width."""
        return self._elided(self._option())

    def _option(self) -> QStyleOptionComboBox:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return option

    def _elided(self, option: QStyleOptionComboBox) -> str:
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        return self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideMiddle, field.width()
        )


def entry_label(card) -> str:
    acc = f"  ·  {card.test_accuracy:.2%}" if card.test_accuracy is not None else ""
    return f"{card.title}{acc}{'' if card.bundled else '  (yours)'}"


class ModelChoices(QObject):
    def __init__(
        self,
        session: ModelSession,
        selector: QComboBox,
        menu: QMenu,
        choose,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.selector, self.menu, self.choose = session, selector, menu, choose
        self.group = QActionGroup(self)
        selector.activated.connect(lambda i: choose(Path(selector.itemData(i))))
        session.subscribe(self._on_session)

    def _on_session(self, event: str) -> None:
        if event == events.MODELS:
            self._fill()
        self._mark(self.session.pending or self.session.active)

    def _fill(self) -> None:
        self.selector.blockSignals(True)
        self.selector.clear()
        for action in self.group.actions():
            self.group.removeAction(action)
        self.menu.clear()
        for path, card in self.session.entries:
            label = entry_label(card)
            self.selector.addItem(label, str(path))
            self.selector.setItemData(
                self.selector.count() - 1, card.summary(), Qt.ItemDataRole.ToolTipRole
            )
            action = QAction(label, self.group, checkable=True)
            action.setData(str(path))
            action.triggered.connect(lambda _=False, p=path: self.choose(p))
            self.menu.addAction(action)
        if self.session.skipped:
            self.menu.addSeparator()
        for path, reason in self.session.skipped:  # named, so a bad card is not a mystery
            left_out = self.menu.addAction(f"{path.name} left out: its model card is not valid")
            left_out.setEnabled(False)
            left_out.setToolTip(reason)
        self.menu.setToolTipsVisible(True)
        self.selector.blockSignals(False)

    def _mark(self, path: Path | None) -> None:
        index = self.selector.findData(str(path)) if path else -1
        if index >= 0:
            self.selector.setCurrentIndex(index)
        current = self.selector.currentText()
        self.selector.setToolTip(f"{current}\n{SELECTOR_TIP}" if current else SELECTOR_TIP)
        for action in self.group.actions():
            action.setChecked(action.data() == str(path))
