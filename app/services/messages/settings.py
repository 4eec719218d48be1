"""Where customer messages come from and how they leave: the shop's name, the sender and
reply-to addresses, and the SMTP server, kept in the database so every station shares them.

The SMTP password is never stored: the relay reads it from BATON_SMTP_PASSWORD.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import WarehouseSetting
from app.domain.roles import Role
from app.printing.library import default_library
from app.services.actor import Actor
from app.services.errors import InvalidInput

NOTIFY_KEY = "notify"
PASSWORD_ENV = "BATON_SMTP_PASSWORD"
# An address a mail server can take: one @, a dot in the domain, no spaces or line breaks.
ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
_HOST = re.compile(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]")
_YES = {"yes", "true", "on", "1"}
_NO = {"no", "false", "off", "0"}


@dataclass(frozen=True)
class NotifySettings:
    """Every station's message settings. An empty `host` means no relay is set up yet: messages
    wait in the outbox until one is."""

    host: str = ""
    port: int = 25
    sender: str = ""
    reply_to: str = ""
    shop_name: str = ""  # "" uses company_name from labels/_site.toml
    username: str = ""
    starttls: bool = False  # upgrade a plain connection with STARTTLS (port 587)
    tls: bool = False  # implicit TLS from the first byte (port 465)
    timeout_s: float = 10.0

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    def shop(self) -> str:
        """The shop's name as customers know it."""
        if self.shop_name:
            return self.shop_name
        return str(default_library().site_values().get("company_name", "")) or "Our shop"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def notify_settings(session: Session) -> NotifySettings:
    """The settings every station shares (the defaults where none were set)."""
    value = session.scalar(select(WarehouseSetting.value).where(WarehouseSetting.key == NOTIFY_KEY))
    stored = json.loads(value) if value else {}
    known = {f.name for f in fields(NotifySettings)}
    return NotifySettings(**{k: v for k, v in stored.items() if k in known})


def set_notify_settings(session: Session, actor: Actor, changes: dict[str, str]) -> NotifySettings:
    """Change some settings (text values as typed, e.g. {"port": "587", "starttls": "yes"});
    a supervisor's action. InvalidInput names the first value that cannot be used, and
    nothing changes."""
    actor.require(Role.SUPERVISOR)
    settings = notify_settings(session)
    parsed: dict[str, Any] = {}
    for key, raw in changes.items():
        parsed[key] = _parse(key, raw.strip())
    settings = replace(settings, **parsed)
    if settings.tls and settings.starttls:
        raise InvalidInput("Choose tls=yes (port 465) or starttls=yes (port 587), not both.")
    text = json.dumps(settings.as_dict(), sort_keys=True)
    row = session.get(WarehouseSetting, NOTIFY_KEY)
    if row is None:
        session.add(WarehouseSetting(key=NOTIFY_KEY, value=text))
    else:
        row.value = text
    return settings


def _parse(key: str, raw: str) -> Any:
    known = [f.name for f in fields(NotifySettings)]
    if key not in known:
        raise InvalidInput(f"Unknown setting {key!r}: the settings are {', '.join(known)}.")
    if key == "port":
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise InvalidInput(f"port must be a number from 1 to 65535, not {raw!r}.")
        return int(raw)
    if key == "timeout_s":
        try:
            seconds = float(raw)
        except ValueError:
            seconds = 0.0
        if not 0 < seconds <= 120:
            raise InvalidInput(f"timeout_s must be a number of seconds up to 120, not {raw!r}.")
        return seconds
    if key in {"starttls", "tls"}:
        if raw.lower() in _YES:
            return True
        if raw.lower() in _NO:
            return False
        raise InvalidInput(f"{key} must be yes or no, not {raw!r}.")
    if key in {"sender", "reply_to"} and raw and not ADDRESS.fullmatch(raw):
        raise InvalidInput(f"{key} must be an e-mail address like orders@example.com, not {raw!r}.")
    if key == "host" and raw and not _HOST.fullmatch(raw):
        raise InvalidInput(f"host must be a host name or address, not {raw!r}.")
    if any(ch in raw for ch in "\r\n"):
        raise InvalidInput(f"{key} must be one line.")
    return raw
