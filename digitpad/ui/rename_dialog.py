"""The rename box of Manage models: a dialog of its own, wide enough for its title and a long
name (QInputDialog.getText opened tiny, its title cut to "Renam... itpad")."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

MIN_WIDTH = 420  # room for the title bar's "Rename model – digitpad" on any platform
MAX_WIDTH = 900


class RenameDialog(QDialog):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("renameDialog")
        self.setWindowTitle("Rename model")
        self.edit = QLineEdit(name, objectName="renameEdit")
        self.edit.selectAll()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.edit.textChanged.connect(self._update_ok)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The name shown in the lists, the status bar and About:"))
        layout.addWidget(self.edit)
        layout.addWidget(self.buttons)
        text = self.edit.fontMetrics().horizontalAdvance(name) + 80
        self.resize(min(max(MIN_WIDTH, text), MAX_WIDTH), self.sizeHint().height())
        self._update_ok()

    def name(self) -> str:
        return self.edit.text().strip()

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name()))


def ask_name(parent: QWidget, name: str) -> str | None:
    """The new name, or None when the person cancels."""
    dialog = RenameDialog(name, parent)
    try:
        return dialog.name() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
