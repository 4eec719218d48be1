"""Where the database lives: one setting, resolved the same way by every entry point."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

DATABASE_URL_ENV = "BATON_DATABASE_URL"


def default_database_path() -> Path:
    """The embedded SQLite file in the user data directory."""
    return user_data_path("baton", appauthor=False) / "baton.sqlite3"


@dataclass(frozen=True)
class DatabaseChoice:
    """The database URL and whether it is the embedded default (which may upgrade itself)."""

    url: str
    embedded_default: bool


def resolve_database(cli_url: str | None = None) -> DatabaseChoice:
    """`--database URL` beats `BATON_DATABASE_URL`, which beats the embedded default."""
    url = cli_url or os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        return DatabaseChoice(normalise_url(url), embedded_default=False)
    path = default_database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return DatabaseChoice(f"sqlite:///{path}", embedded_default=True)


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


MANIFEST_DIR_ENV = "BATON_MANIFEST_DIR"


def manifest_folder() -> Path:
    """Where closed manifests are written as PDF and CSV: `BATON_MANIFEST_DIR`, else a folder
    beside the embedded database."""
    given = os.environ.get(MANIFEST_DIR_ENV, "").strip()
    return Path(given).expanduser() if given else default_database_path().parent / "manifests"
