"""Workstation settings: each declared once with its type and default, stored in QSettings.

These are per-machine preferences (which station this is, its printers, its scanner, sound).
Business configuration shared by every station lives in the database instead.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar, cast

from platformdirs import user_documents_path
from PySide6.QtCore import QSettings

T = TypeVar("T", str, int, bool)


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One workstation setting: where it is stored, its type, default and a label for people."""

    key: str
    kind: type[T]
    default: T
    label: str


STATION_NAME = Setting("station/name", str, socket.gethostname() or "station", "Station name")
STATION_ROLE = Setting(
    "station/role",
    str,
    "",
    "Station screen (picker, sorter, packer, shipper, supervisor; empty: by operator)",
)
IDLE_LOGOUT_MINUTES = Setting(
    "session/idle_logout_minutes", int, 15, "Log out after idle minutes (0: never)"
)
GS_SUBSTITUTE = Setting("scanner/gs_substitute", str, "|", "Character that stands for GS in scans")
TAB_ENDS_SCAN = Setting("scanner/tab_ends_scan", bool, True, "Tab ends a scan like Enter")
SOUND_ON = Setting("feedback/sound", bool, True, "Play sounds")
LABEL_PRINTER = Setting(
    "printers/labels", str, "pdf", "Label printer (pdf, system:NAME, zpl:HOST:PORT)"
)
DOCUMENT_PRINTER = Setting("printers/documents", str, "pdf", "Document printer (pdf, system:NAME)")
PDF_FOLDER = Setting(
    "printers/pdf_folder", str, str(user_documents_path() / "Baton"), "Folder for PDF output"
)

ALL: tuple[Setting[str] | Setting[int] | Setting[bool], ...] = (
    STATION_NAME,
    STATION_ROLE,
    IDLE_LOGOUT_MINUTES,
    GS_SUBSTITUTE,
    TAB_ENDS_SCAN,
    SOUND_ON,
    LABEL_PRINTER,
    DOCUMENT_PRINTER,
    PDF_FOLDER,
)


class WorkstationSettings:
    """Typed access to this workstation's settings (an INI file when a path is given)."""

    def __init__(self, path: Path | None = None) -> None:
        self._store = (
            QSettings(str(path), QSettings.Format.IniFormat)
            if path is not None
            else QSettings("Baton", "Baton")
        )

    def get(self, setting: Setting[T]) -> T:
        """The stored value, or the default when unset or unreadable."""
        raw = self._store.value(setting.key, setting.default)
        if setting.kind is bool and isinstance(raw, str):
            return cast(T, raw.strip().lower() in {"1", "true", "yes", "on"})
        try:
            return setting.kind(raw)
        except (TypeError, ValueError):
            return setting.default

    def set(self, setting: Setting[T], value: T) -> None:
        """Store a value and write it out at once (a station may lose power any time)."""
        self._store.setValue(setting.key, value)
        self._store.sync()
