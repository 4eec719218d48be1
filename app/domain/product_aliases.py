"""Product aliases: a line's name compared with the names a supervisor has mapped before."""

from __future__ import annotations

# The width of the line name and alias columns.
NAME_LENGTH = 255


def alias_key(name: str) -> str:
    """The form names are compared in: without the spaces around them, case ignored."""
    return name.strip().casefold()
