"""The workstation settings dialog: every setting declared in app/ui/settings.py, one row each."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.domain.roles import Role
from app.ui import settings as s
from app.ui.station import StationContext

# Which screen a station opens is a supervisor's decision; the rest any operator may adjust.
SUPERVISOR_ONLY = {s.STATION_ROLE.key, s.STATION_NAME.key}


class SettingsDialog(QDialog):
    """Edit this workstation's settings; saved at once on OK."""

    def __init__(self, parent: QWidget | None, station: StationContext) -> None:
        super().__init__(parent)
        self.setWindowTitle("Workstation settings")
        self.station = station
        self.editors: dict[str, QWidget] = {}
        supervisor = station.actor is not None and station.actor.role is Role.SUPERVISOR
        form = QFormLayout(self)
        for setting in s.ALL:
            value = station.settings.get(setting)
            editor: QWidget
            if setting.kind is bool:
                editor = QCheckBox()
                editor.setChecked(bool(value))
            elif setting.kind is int:
                editor = QSpinBox()
                editor.setRange(0, 24 * 60)
                editor.setValue(int(value))
            else:
                editor = QLineEdit(str(value))
                editor.setMinimumWidth(360)
            editor.setEnabled(supervisor or setting.key not in SUPERVISOR_ONLY)
            self.editors[setting.key] = editor
            form.addRow(setting.label, editor)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _on_save(self) -> None:
        role = self.editors[s.STATION_ROLE.key]
        if isinstance(role, QLineEdit) and role.text().strip() not in {"", *Role}:
            self.station.feedback.error(
                f"'{role.text()}' is not a role; leave it empty or name one."
            )
            return
        for setting in s.ALL:
            editor = self.editors[setting.key]
            if isinstance(editor, QCheckBox):
                self.station.settings.set(setting, editor.isChecked())  # type: ignore[arg-type]
            elif isinstance(editor, QSpinBox):
                self.station.settings.set(setting, editor.value())  # type: ignore[arg-type]
            elif isinstance(editor, QLineEdit):
                self.station.settings.set(setting, editor.text().strip())  # type: ignore[arg-type]
        self.station.feedback.ok("Settings saved.")
        self.accept()
