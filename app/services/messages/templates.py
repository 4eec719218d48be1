"""Customer messages from templates in resources/messages: for each kind a plain-text part
(`KIND.txt`, which also sets the subject) and an HTML part (`KIND.html`, autoescaped, so a
customer's name can never become markup). Edit the files to change the wording; they are
read again when they change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from app.services.errors import InvalidInput

MESSAGES_DIR = Path(__file__).resolve().parents[3] / "resources" / "messages"
KINDS = ("received", "shipped", "delivered", "delayed", "cancelled")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=4)
def _environment(folder: Path) -> Environment:
    return Environment(
        loader=FileSystemLoader(folder),
        autoescape=lambda name: bool(name and name.endswith(".html")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,
    )


def render(kind: str, context: Mapping[str, Any], folder: Path | None = None) -> Rendered:
    """The message of `kind` for `context`. InvalidInput names the template that failed."""
    environment = _environment(folder or MESSAGES_DIR)
    name = f"{kind}.txt"
    try:
        text_template = environment.get_template(name)
        module = text_template.make_module(dict(context))
        name = f"{kind}.html"
        html = environment.get_template(name).render(context)
    except TemplateError as exc:
        raise InvalidInput(f"The message template {name} cannot be used: {exc}") from None
    subject = " ".join(str(getattr(module, "subject", "")).split())
    if not subject:
        raise InvalidInput(f"The message template {kind}.txt sets no subject.")
    return Rendered(subject=subject, text=str(module).lstrip("\n"), html=html)
