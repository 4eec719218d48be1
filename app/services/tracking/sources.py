"""Where carrier events come from: anything that yields them. A file today; a poller asking a
carrier's API (karrio's tracking endpoint speaks the same statuses) can sit beside it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.domain.formats.carrier_events import (
    CarrierEvent,
    RejectedEvent,
    format_of,
    read_events,
)
from app.domain.formats.tabular import FileUnusable

# A source that cannot be used at all (a file that is not CSV or JSON, not UTF-8, empty, or
# lacks columns): nothing of it is recorded.
SourceUnusable = FileUnusable


class TrackingSource(Protocol):
    """Something that yields carrier events: good ones, and rejected rows with their line."""

    @property
    def name(self) -> str:
        """Where the events came from, as each stored event records it (a file name)."""
        ...

    def events(self) -> Iterable[CarrierEvent | RejectedEvent]:
        """Every event, read whole before any is recorded; SourceUnusable if none can be."""
        ...


@dataclass(frozen=True)
class FileSource:
    """A carrier's CSV or JSON file (see app/domain/formats/carrier_events.py)."""

    path: Path
    fmt: str | None = None  # None: from the file name's ending

    @property
    def name(self) -> str:
        return self.path.name[:80]

    def events(self) -> list[CarrierEvent | RejectedEvent]:
        return read_events(self.path, format_of(self.path, self.fmt))
