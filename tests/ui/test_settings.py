"""Workstation settings: declared once, typed, stored per machine; station role by supervisor."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from app.domain.roles import Role
from app.services.actor import Actor
from app.ui import settings as s
from app.ui.feedback import Feedback
from app.ui.settings_dialog import SettingsDialog
from app.ui.station import StationContext


def _station(tmp_path: Path, role: Role) -> StationContext:
    settings = s.WorkstationSettings(tmp_path / "station.ini")
    station = StationContext(database=None, settings=settings, feedback=Feedback())  # type: ignore[arg-type]
    station.actor = Actor(operator_id=1, name="Test", role=role, station="bench")
    return station


def test_defaults_and_typed_round_trip(tmp_path: Path) -> None:
    settings = s.WorkstationSettings(tmp_path / "station.ini")
    assert settings.get(s.SOUND_ON) is True
    assert settings.get(s.IDLE_LOGOUT_MINUTES) == 15
    assert settings.get(s.GS_SUBSTITUTE) == "|"
    settings.set(s.SOUND_ON, False)
    settings.set(s.IDLE_LOGOUT_MINUTES, 5)
    again = s.WorkstationSettings(tmp_path / "station.ini")  # a restart reads the file
    assert again.get(s.SOUND_ON) is False and again.get(s.IDLE_LOGOUT_MINUTES) == 5


def test_a_garbled_value_falls_back_to_the_default(tmp_path: Path) -> None:
    path = tmp_path / "station.ini"
    path.write_text("[session]\nidle_logout_minutes=soon\n", encoding="utf-8")
    assert s.WorkstationSettings(path).get(s.IDLE_LOGOUT_MINUTES) == 15


def test_dialog_lists_every_setting_and_saves(qtbot: QtBot, tmp_path: Path) -> None:
    station = _station(tmp_path, Role.SUPERVISOR)
    dialog = SettingsDialog(None, station)
    qtbot.addWidget(dialog)
    assert set(dialog.editors) == {setting.key for setting in s.ALL}
    role = dialog.editors[s.STATION_ROLE.key]
    sound = dialog.editors[s.SOUND_ON.key]
    idle = dialog.editors[s.IDLE_LOGOUT_MINUTES.key]
    assert (
        isinstance(role, QLineEdit) and isinstance(sound, QCheckBox) and isinstance(idle, QSpinBox)
    )
    role.setText("packer")
    sound.setChecked(False)
    idle.setValue(3)
    dialog._on_save()
    assert station.settings.get(s.STATION_ROLE) == "packer"
    assert station.settings.get(s.SOUND_ON) is False
    assert station.settings.get(s.IDLE_LOGOUT_MINUTES) == 3


def test_unknown_role_is_refused(qtbot: QtBot, tmp_path: Path) -> None:
    station = _station(tmp_path, Role.SUPERVISOR)
    dialog = SettingsDialog(None, station)
    qtbot.addWidget(dialog)
    role = dialog.editors[s.STATION_ROLE.key]
    assert isinstance(role, QLineEdit)
    role.setText("boss")
    dialog._on_save()
    assert station.settings.get(s.STATION_ROLE) == ""
    assert "'boss' is not a role" in station.feedback.band.message


def test_only_a_supervisor_may_change_the_station_role(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SettingsDialog(None, _station(tmp_path, Role.PICKER))
    qtbot.addWidget(dialog)
    assert not dialog.editors[s.STATION_ROLE.key].isEnabled()
    assert not dialog.editors[s.STATION_NAME.key].isEnabled()
    assert dialog.editors[s.SOUND_ON.key].isEnabled()
