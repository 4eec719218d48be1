"""The dock's rules: pickup times by weekday, countdowns, manifest numbers and upload files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time

import pytest

from app.domain.dispatch import (
    ManifestRow,
    PickupSchedule,
    countdown,
    door_code,
    manifest_csv,
    manifest_number,
)
from app.domain.scanning.classify import Scan, ScanKind, classify


def test_pickup_times_by_weekday_and_the_next_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    import time as _time

    _time.tzset()
    try:
        schedule = PickupSchedule.parse({"mon": "17:00", "sat": "12:00"}, "UPS")
        assert schedule.on(date(2026, 12, 7)) == time(17, 0)  # a Monday
        assert schedule.on(date(2026, 12, 8)) is None
        monday_noon = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # 12:00 in Berlin
        assert schedule.next_pickup(monday_noon) == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
        monday_evening = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
        assert schedule.next_pickup(monday_evening) == datetime(2026, 12, 12, 11, 0, tzinfo=UTC)
        # Summer time: 17:00 in Berlin is 15:00 UTC.
        assert schedule.next_pickup(datetime(2027, 6, 7, 8, 0, tzinfo=UTC)) == datetime(
            2027, 6, 7, 15, 0, tzinfo=UTC
        )
        # Saturday 12:00 CET, then over the night the clocks go forward: Monday 17:00 CEST.
        friday_evening = datetime(2027, 3, 26, 17, 0, tzinfo=UTC)
        assert schedule.next_pickup(friday_evening) == datetime(2027, 3, 27, 11, 0, tzinfo=UTC)
        saturday_afternoon = datetime(2027, 3, 27, 13, 0, tzinfo=UTC)
        assert schedule.next_pickup(saturday_afternoon) == datetime(2027, 3, 29, 15, 0, tzinfo=UTC)
        # New Year's Eve is a Friday in 2027: the next pickup is Saturday 1 January, 12:00 CET.
        assert schedule.next_pickup(datetime(2027, 12, 31, 18, 0, tzinfo=UTC)) == datetime(
            2028, 1, 1, 11, 0, tzinfo=UTC
        )
        assert PickupSchedule().next_pickup(monday_noon) is None
    finally:
        monkeypatch.undo()
        _time.tzset()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"monday": "17:00"}, "'monday' is not a weekday"),
        ({"mon": "5pm"}, "'5pm' is not a time of day"),
        ({"mon": "24:00"}, "'24:00' is not a time of day"),
        ("17:00", "write pickup times as"),
    ],
)
def test_bad_pickup_times_are_refused_naming_the_field(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PickupSchedule.parse(value, "carrier 1 ('UPS'), field 'pickup'")


def test_countdown_reads_at_a_glance() -> None:
    at = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    assert countdown(datetime(2026, 12, 7, 16, 5, tzinfo=UTC), at) == "2 h 05 min"
    assert countdown(datetime(2026, 12, 7, 14, 12, 30, tzinfo=UTC), at) == "12 min"
    assert countdown(datetime(2026, 12, 7, 14, 0, 30, tzinfo=UTC), at) == "due now"
    assert countdown(datetime(2026, 12, 7, 13, 40, tzinfo=UTC), at) == "20 min late"
    assert countdown(None, at) == "no pickup booked"


def test_manifest_numbers_and_door_codes() -> None:
    assert manifest_number(datetime(2026, 12, 7, 16, 30), 12) == "MF-20261207-00012"
    assert door_code(" dock-3 ") == "DOCK-3"
    with pytest.raises(ValueError, match="cannot be a door code"):
        door_code("3 DOCK")
    scan = classify("DOCK-12")
    assert isinstance(scan, Scan) and scan.kind is ScanKind.DOOR
    assert scan.describe() == "Dock door DOCK-12"


def test_the_upload_file_is_one_safe_row_per_carton() -> None:
    rows = [
        ManifestRow(
            "1Z5R89391134000051",
            "003456789012345675",
            "#1001",
            "1 of 2",
            "STANDARD",
            '=HYPERLINK("x")',
            "8001",
            "8001 Zürich",
            "CH",
            1234,
        ),
    ]
    text = manifest_csv("MF-20261207-00001", "UPS", "5R8939", date(2026, 12, 7), rows)
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["consignee"] == '\'=HYPERLINK("x")'  # never a formula in a spreadsheet
    assert (row["tracking_number"], row["weight_kg"], row["ship_date"]) == (
        "1Z5R89391134000051",
        "1.234",
        "2026-12-07",
    )
