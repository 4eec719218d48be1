"""The dialog a supervisor cancels an order in: why, and a last look before it is done."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class CancelOrderDialog(QDialog):
    """The reason typed, then Cancel order confirms; Keep order (or Esc) changes nothing."""

    def __init__(
        self,
        parent: QWidget | None,
        number: str,
        status: str,
        on_cancel: Callable[[str], bool],
    ) -> None:
        super().__init__(parent)
        self._on_cancel = on_cancel
        self.setWindowTitle(f"Cancel order {number}")
        layout = QVBoxLayout(self)
        title = QLabel(f"Cancel order {number}?")
        title.setStyleSheet("font-size: 18pt; font-weight: 700;")
        layout.addWidget(title)
        said = QLabel(
            f"The order is {status.replace('_', ' ').lower()}. Cancelling takes it off the floor "
            "and gives its stock back; it cannot be undone."
        )
        said.setWordWrap(True)
        layout.addWidget(said)
        layout.addWidget(QLabel("Why is this order cancelled? (the timeline keeps it)"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. customer asked, payment refunded")
        self.reason.setMinimumWidth(420)
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox()
        self.cancel_order_button = self.buttons.addButton(
            "Cancel order", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.keep_button = self.buttons.addButton(
            "Keep order", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.cancel_order_button.setDefault(True)  # Enter in the reason confirms
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    def accept(self) -> None:
        """Cancel the order; a refusal keeps the dialog open with the reason to type again."""
        if self._on_cancel(self.reason.text()):
            super().accept()
            return
        self.reason.setFocus()
        self.reason.selectAll()
