"""The dialog a supervisor corrects a ship-to address in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.domain.order_drafts import AddressDraft

LABELS = {
    "name": "Name",
    "company": "Company",
    "address1": "Street address",
    "address2": "Address line 2",
    "city": "City",
    "region": "Region / state",
    "postal_code": "Postal code",
    "country": "Country (ISO code, e.g. DE)",
    "phone": "Phone",
}


class AddressDialog(QDialog):
    """One line edit per address field, filled with the current address; Save fixes it."""

    def __init__(
        self,
        parent: QWidget | None,
        number: str,
        current: AddressDraft,
        holds: Sequence[str],
        on_save: Callable[[AddressDraft], bool],
    ) -> None:
        super().__init__(parent)
        self._on_save = on_save
        self.setWindowTitle(f"Ship-to address of order {number}")
        grid = QGridLayout(self)
        title = QLabel(f"Order {number}: ship-to address")
        title.setStyleSheet("font-size: 18pt; font-weight: 700;")
        grid.addWidget(title, 0, 0, 1, 4)
        held = QLabel("On hold: " + "; ".join(holds))  # what the correction is for
        held.setWordWrap(True)
        held.setVisible(bool(holds))
        grid.addWidget(held, 1, 0, 1, 4)
        # Two fields a row (name and company, street and line 2, ...): the dialog fits a
        # 1280x800 station screen with room to spare.
        self.edits: dict[str, QLineEdit] = {}
        for i, f in enumerate(fields(AddressDraft)):
            edit = QLineEdit(getattr(current, f.name))
            edit.setMinimumWidth(280)
            self.edits[f.name] = edit
            row, column = 2 + i // 2, (i % 2) * 2
            grid.addWidget(QLabel(LABELS[f.name]), row, column)
            grid.addWidget(edit, row, column + 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        grid.addWidget(self.buttons, 2 + (len(self.edits) + 1) // 2, 0, 1, 4)

    def address(self) -> AddressDraft:
        """The address as the dialog shows it now."""
        return AddressDraft(**{name: edit.text() for name, edit in self.edits.items()})

    def accept(self) -> None:
        """Save the address; a refused one stays in the dialog to be corrected."""
        if self._on_save(self.address()):
            super().accept()
