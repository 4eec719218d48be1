"""Carrier event rows and the shop's fulfilment file, without a database."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

from app.domain.dispatch import FulfilmentRow, fulfilment_csv
from app.domain.formats.carrier_events import CarrierEvent, RejectedEvent, parse_event, parse_moment
from app.domain.tracking import TrackingStatus, latest_key

WHEN = datetime(2024, 2, 29, 9, 15, tzinfo=timezone(timedelta(hours=1)))


def test_a_time_needs_its_offset_and_is_kept_in_utc() -> None:
    assert parse_moment("2024-02-29T09:15:00+01:00") == (WHEN.astimezone(UTC), "")
    assert parse_moment("2024-02-29T08:15:00Z") == (WHEN.astimezone(UTC), "")
    when, why = parse_moment("2024-02-29T09:15:00")
    assert when is None and "has no UTC offset" in why
    assert parse_moment("29.02.2024 09:15")[0] is None
    assert parse_moment(" ") == (None, "occurred_at is empty")


def test_a_row_in_other_spellings() -> None:
    cells = {
        "tracking_number": " 1z 999 ",
        "status": "Out For-Delivery",
        "occurred_at": WHEN.isoformat(),
        "location": "  Hamburg   Hub ",
        "description": "On the\nvan",
    }
    assert parse_event(7, cells) == CarrierEvent(
        7, "1Z999", TrackingStatus.OUT_FOR_DELIVERY, WHEN, "Hamburg Hub", "On the van"
    )


def test_every_problem_of_a_row_is_named_with_its_line() -> None:
    found = parse_event(3, {"tracking_number": "", "status": "teleported", "occurred_at": "soon"})
    assert isinstance(found, RejectedEvent) and found.line_no == 3
    assert found.reason.startswith("line 3: tracking_number is empty; unknown status 'teleported'")
    assert found.reason.endswith("occurred_at 'soon' is not a time like 2026-12-08T09:15:00+01:00")


def test_the_latest_event_is_by_time_then_how_far_along() -> None:
    events = [
        (WHEN, TrackingStatus.OUT_FOR_DELIVERY),
        (WHEN, TrackingStatus.DELIVERED),
        (WHEN - timedelta(hours=1), TrackingStatus.RETURN_TO_SENDER),
    ]
    assert max(events, key=lambda e: latest_key(*e)) == (WHEN, TrackingStatus.DELIVERED)
    assert latest_key(WHEN + timedelta(seconds=1), TrackingStatus.UNKNOWN) > latest_key(
        WHEN, TrackingStatus.DELIVERED
    )


def test_the_fulfilment_file_is_safe_to_open_in_a_spreadsheet() -> None:
    row = FulfilmentRow(
        order='=HYPERLINK("http://x")',
        carrier="UPS",
        service="+Express",
        tracking_numbers=("1Z1", "1Z2"),
        tracking_urls=("https://ups.example/1Z1", "https://ups.example/1Z2"),
        shipped_at=WHEN,
        delivered_at=None,
    )
    (read,) = csv.DictReader(io.StringIO(fulfilment_csv([row])))
    assert read == {
        "order": '\'=HYPERLINK("http://x")',
        "carrier": "UPS",
        "service": "'+Express",
        "tracking_numbers": "1Z1 1Z2",
        "tracking_urls": "https://ups.example/1Z1 https://ups.example/1Z2",
        "shipped_at": "2024-02-29T09:15:00+01:00",
        "delivered_at": "",
    }
