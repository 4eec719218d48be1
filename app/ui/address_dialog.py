"""The dialog a supervisor corrects a ship-to address in."""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

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
    """One line edit per address field, filled with the current address."""

    def __init__(self, parent: QWidget | None, number: str, current: AddressDraft) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Ship-to address of order {number}")
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        for f in fields(AddressDraft):
            edit = QLineEdit(getattr(current, f.name))
            edit.setMinimumWidth(420)
            self.edits[f.name] = edit
            form.addRow(LABELS[f.name], edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def address(self) -> AddressDraft:
        return AddressDraft(**{name: edit.text() for name, edit in self.edits.items()})


def ask_address(parent: QWidget | None, number: str, current: AddressDraft) -> AddressDraft | None:
    """Show the dialog; the edited address, or None when the supervisor cancelled."""
    dialog = AddressDialog(parent, number, current)
    return dialog.address() if dialog.exec() == QDialog.DialogCode.Accepted else None
