"""The boundary to the carriers: what the dock hands over when a load closes.

The dock's services only talk to a `CarrierLink`. The built-in one writes the manifest as a
PDF and as a CSV file a carrier's portal takes as an upload, and books the pickup the carrier
book schedules. A carrier's API (close a manifest, book a pickup) is another `CarrierLink`;
the dock screen and the command line do not change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from app.domain.dispatch import ManifestRow, manifest_csv
from app.printing import render_pdf
from app.printing.render import write_atomically

MANIFEST_LAYOUT = "manifest_a4"


@dataclass(frozen=True)
class ManifestDocument:
    """A closed load as a carrier receives it: its rows, and the values its layout prints."""

    number: str
    carrier: str
    account: str
    ship_date: date
    rows: Sequence[ManifestRow]
    values: Mapping[str, Any]


@dataclass(frozen=True)
class ManifestFiles:
    """Where the manifest went: the PDF and the carrier-upload CSV."""

    pdf: Path
    csv: Path


class CarrierLink(Protocol):
    """What a carrier integration does for the dock."""

    def close_manifest(self, manifest: ManifestDocument) -> ManifestFiles:
        """Hand the closed manifest over (the same manifest again gives the same files)."""
        ...

    def book_pickup(self, carrier: str, door: str, at: datetime | None, cartons: int) -> str:
        """Book the driver for a load; returns what to tell the shipper."""
        ...


class FileCarrierLink:
    """Manifests as files in one folder: NUMBER.pdf and NUMBER.csv, written whole or not at all."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def close_manifest(self, manifest: ManifestDocument) -> ManifestFiles:
        pdf = self.folder / f"{manifest.number}.pdf"
        csv_path = self.folder / f"{manifest.number}.csv"
        render_pdf(MANIFEST_LAYOUT, manifest.values, pdf)
        text = manifest_csv(
            manifest.number, manifest.carrier, manifest.account, manifest.ship_date, manifest.rows
        )
        data = text.encode("utf-8")

        def write(handle: BinaryIO) -> None:
            handle.write(data)

        write_atomically(csv_path, write)
        return ManifestFiles(pdf, csv_path)

    def book_pickup(self, carrier: str, door: str, at: datetime | None, cartons: int) -> str:
        if at is None:
            return f"No {carrier} pickup is scheduled: call {carrier} for the {cartons} carton(s)."
        return f"{carrier} collects {cartons} carton(s) at {door} at {at.astimezone():%a %H:%M}."
