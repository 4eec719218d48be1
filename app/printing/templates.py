"""Field templates: literal text with `{name}` placeholders filled from named values."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Name:
    """A placeholder in a template."""

    name: str


@dataclass(frozen=True)
class Template:
    """A parsed template; `names` are the values it needs."""

    source: str
    parts: tuple[str | Name, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The value names used, in order of first use."""
        seen: dict[str, None] = {}
        for part in self.parts:
            if isinstance(part, Name):
                seen.setdefault(part.name, None)
        return tuple(seen)

    def fill(self, lookup: Callable[[str], str]) -> str:
        """The template with each placeholder replaced by `lookup(name)`."""
        return "".join(p if isinstance(p, str) else lookup(p.name) for p in self.parts)


def parse_template(source: str) -> Template:
    """Parse `source`; ValueError for a stray brace or a placeholder that is not a name."""
    parts: list[str | Name] = []
    pos = 0
    for match in _TOKEN.finditer(source):
        literal = source[pos : match.start()]
        token = match.group(0)
        pos = match.end()
        if token in ("{{", "}}"):
            literal += token[0]
        elif match.group(1) is None:
            raise ValueError(f"stray {token!r} in {source!r} (write {token * 2} for a brace)")
        elif not _NAME.fullmatch(match.group(1)):
            raise ValueError(f"{{{match.group(1)}}} in {source!r} is not a value name")
        if literal:
            parts.append(literal)
        if match.group(1) is not None:
            parts.append(Name(match.group(1)))
    if source[pos:]:
        parts.append(source[pos:])
    merged: list[str | Name] = []
    for part in parts:
        if merged and isinstance(part, str) and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    return Template(source, tuple(merged))


def value_text(value: object) -> str:
    """How a data value prints: None as nothing, numbers without float noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)
