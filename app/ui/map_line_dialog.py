"""The dialog a supervisor maps a line that came without a SKU to a product in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.services.intake.line_mapping import UnmappedLine


@dataclass(frozen=True)
class LineChoice:
    """What the supervisor chose: the line, the SKU or barcode typed or scanned, remember it."""

    line_no: int
    code: str
    remember: bool


class MapLineDialog(QDialog):
    """Pick the line, type or scan its product, optionally remember it for later imports."""

    def __init__(
        self,
        parent: QWidget | None,
        number: str,
        lines: Sequence[UnmappedLine],
        on_map: Callable[[LineChoice], bool],
    ) -> None:
        super().__init__(parent)
        self._on_map = on_map
        self.setWindowTitle(f"Map a line of order {number}")
        self._lines = list(lines)
        form = QFormLayout(self)
        title = QLabel(f"Order {number}: a line without a SKU")
        title.setStyleSheet("font-size: 18pt; font-weight: 700;")
        form.addRow(title)
        form.addRow(QLabel("Type or scan the product the customer ordered on this line."))
        self.line = QComboBox()
        for line in self._lines:
            self.line.addItem(f"line {line.line_no} · {line.name or '(no name)'} × {line.quantity}")
        form.addRow("Line", self.line)
        self.code = QLineEdit()
        self.code.setPlaceholderText("Type or scan the SKU or barcode")
        self.code.setMinimumWidth(420)
        form.addRow("Product", self.code)
        self.remember = QCheckBox()
        self.remember.setStyleSheet("QCheckBox::indicator { width: 24px; height: 24px; }")
        form.addRow(self.remember)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.map_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.map_button.setText("Map")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.line.currentIndexChanged.connect(self._on_line)
        self.code.textChanged.connect(self._on_code)
        self._on_line(0)
        self._on_code("")
        self.code.setFocus()

    def _on_line(self, index: int) -> None:
        name = self._lines[index].name if 0 <= index < len(self._lines) else ""
        # A line without a name cannot be recognised on a later import.
        self.remember.setEnabled(bool(name.strip()))
        if not name.strip():
            self.remember.setChecked(False)
        self.remember.setText(
            f"Remember for later imports: lines named '{name}' get this product"
            if name.strip()
            else "Remember for later imports (this line has no name to remember)"
        )

    def _on_code(self, text: str) -> None:
        self.map_button.setEnabled(bool(text.strip()))

    def accept(self) -> None:
        """Map the line; a refused code stays selected, so the next scan replaces it."""
        if self._on_map(self.choice()):
            super().accept()
            return
        self.code.setFocus()
        self.code.selectAll()

    def choice(self) -> LineChoice:
        """The line, code and remember choice as the dialog shows them now."""
        line = self._lines[self.line.currentIndex()]
        return LineChoice(line.line_no, self.code.text().strip(), self.remember.isChecked())
