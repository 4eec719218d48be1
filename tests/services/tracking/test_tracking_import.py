"""Carrier events imported on both databases: idempotent, DELIVERED only when every carton is,
customers told once, the latest event by the carrier's time wins, bad rows named by line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.database import Database
from app.db.packing_models import Carton
from app.domain.formats.carrier_events import CarrierEvent
from app.domain.roles import Role
from app.domain.tracking import TrackingStatus
from app.services.actor import Actor
from app.services.desk.lookup import look_up
from app.services.desk.order_list import ATTENTION, DeskFilter, attention_count, desk_rows
from app.services.desk.orders import show_order
from app.services.errors import NotAllowed
from app.services.tracking.events import record_events
from tests.services.dispatch.conftest import tracking_numbers
from tests.services.journey import order_status, scanned
from tests.services.tracking.conftest import (
    carton,
    counts,
    import_file,
    messages,
    moment,
    timeline,
    write_csv,
    write_json,
)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    shipped: Database, tmp_path: Path
) -> None:
    (parcel,) = tracking_numbers(shipped, "#1002")
    path = write_csv(
        tmp_path / "post.csv",
        [
            (parcel, "in_transit", moment(30), "Zürich Mülligen", "Arrived at the sorting centre"),
            (parcel, "delivered", moment(2), "Zürich", "Delivered to the mailbox"),
        ],
    )
    first = import_file(shipped, path)
    assert (first.new, first.known, first.rejected, first.exit_code) == (2, 0, [], 0)
    assert first.orders_delivered == ["#1002"] and first.messages == 1
    assert order_status(shipped, "#1002") == "DELIVERED"
    before = counts(shipped)

    again = import_file(shipped, path)
    assert (again.new, again.known, again.messages, again.orders_delivered) == (0, 2, 0, [])
    assert again.exit_code == 0
    assert counts(shipped) == before
    (delivered,) = messages(shipped, "#1002", "delivered")
    assert parcel in delivered.body and "Deutsche Post delivered your order #1002" in delivered.body
    kinds = [kind for kind, _, _ in timeline(shipped, "#1002")]
    assert kinds.count("tracking") == 2 and kinds[-1] == "delivered"
    assert timeline(shipped, "#1002")[-1][1] == "DELIVERED"


def test_an_order_is_delivered_only_when_every_carton_is(shipped: Database, tmp_path: Path) -> None:
    first, second = tracking_numbers(shipped, "#1001")
    one = write_csv(tmp_path / "one.csv", [(first, "delivered", moment(5), "Zürich", "")])
    summary = import_file(shipped, one)
    assert summary.new == 1 and summary.orders_delivered == []
    assert order_status(shipped, "#1001") == "SHIPPED"
    assert messages(shipped, "#1001", "delivered") == []
    assert carton(shipped, first).delivered_at == moment(5)

    both = write_csv(
        tmp_path / "both.csv",
        [(first, "delivered", moment(5), "Zürich", ""), (second, "Delivered", moment(1), "", "")],
    )
    summary = import_file(shipped, both)
    assert (summary.new, summary.known, summary.orders_delivered) == (1, 1, ["#1001"])
    assert order_status(shipped, "#1001") == "DELIVERED"
    (message,) = messages(shipped, "#1001", "delivered")
    assert first in message.body and second in message.body
    with shipped.sessions() as session:
        ids = sorted(
            session.scalars(select(Carton.id).where(Carton.tracking_number.in_([first, second])))
        )
    assert message.dedupe_key == f"delivered:{message.order_id}:{ids[0]},{ids[1]}:"


def test_the_latest_event_by_the_carriers_time_wins(shipped: Database, tmp_path: Path) -> None:
    (parcel,) = tracking_numbers(shipped, "#1004")
    path = write_csv(
        tmp_path / "ups.csv",
        [
            (parcel, "out_for_delivery", moment(6), "Zürich", "On the van"),
            (parcel, "in_transit", moment(20), "Köln", "Departed"),
            (parcel, "picked_up", moment(26), "Berlin", "Picked up"),
        ],
    )
    import_file(shipped, path)
    found = carton(shipped, parcel)
    assert (found.tracking_status, found.tracking_at) == ("out_for_delivery", moment(6))

    older = write_csv(tmp_path / "late.csv", [(parcel, "in_transit", moment(10), "Basel", "")])
    summary = import_file(shipped, older)
    assert summary.new == 1
    found = carton(shipped, parcel)
    assert (found.tracking_status, found.tracking_at) == ("out_for_delivery", moment(6))
    assert order_status(shipped, "#1004") == "SHIPPED"
    with shipped.sessions() as session:
        detail = show_order(session, "#1004")
    (shown,) = detail.cartons
    assert [e.status for e in shown.events] == [
        "picked_up",
        "in_transit",
        "in_transit",
        "out_for_delivery",
    ]
    assert shown.tracking_status == "out_for_delivery"
    # Each carrier event is on the order's timeline, with the carrier and where it was.
    details = [detail for kind, _, detail in timeline(shipped, "#1004") if kind == "tracking"]
    assert len(details) == 4 and any(
        d.startswith(f"UPS {parcel} in_transit at Köln") for d in details
    )


def test_a_carrier_exception_tells_the_customer_once_per_kind_and_reaches_the_desk(
    shipped: Database, tmp_path: Path
) -> None:
    (parcel,) = tracking_numbers(shipped, "#1004")
    delayed = write_csv(
        tmp_path / "delayed.csv",
        [(parcel, "delivery_delayed", moment(8), "Köln", "Weather conditions")],
    )
    summary = import_file(shipped, delayed)
    assert summary.orders_attention == ["#1004"] and summary.messages == 1
    (message,) = messages(shipped, "#1004", "delayed")
    assert f"Your parcel {parcel} is delayed." in message.body
    assert "UPS says: Weather conditions (Köln)." in message.body
    assert message.dedupe_key.endswith(":delivery_delayed")

    again = write_csv(
        tmp_path / "again.csv",
        [(parcel, "DELIVERY DELAYED", moment(4), "Köln", "Still the weather")],
    )
    assert import_file(shipped, again).messages == 0
    assert len(messages(shipped, "#1004", "delayed")) == 1

    failed = write_csv(tmp_path / "failed.csv", [(parcel, "delivery-failed", moment(2), "", "")])
    assert import_file(shipped, failed).messages == 1
    assert len(messages(shipped, "#1004", "delayed")) == 2

    with shipped.sessions() as session:
        assert attention_count(session) == 1
        (row,) = desk_rows(session, DeskFilter(ATTENTION), 0, 10)
        found = look_up(session, scanned(parcel))
    assert row.number == "#1004" and row.hold_reasons == (f"UPS {parcel}: delivery failed",)
    assert found.alerts == (f"UPS {parcel} could not be delivered",)
    assert [s.title for s in found.sections] == ["Tracking", "Contents"]
    tracking = next(s for s in found.sections if s.title == "Tracking")
    assert [r[1] for r in tracking.rows] == [
        "delivery failed",
        "delivery delayed",
        "delivery delayed",
    ]

    delivered = write_csv(tmp_path / "done.csv", [(parcel, "delivered", moment(1), "", "")])
    assert import_file(shipped, delivered).orders_delivered == ["#1004"]
    with shipped.sessions() as session:
        assert desk_rows(session, DeskFilter(ATTENTION), 0, 10) == []


def test_old_news_of_a_delay_tells_nobody(shipped: Database, tmp_path: Path) -> None:
    """A delay the carrier reports after the parcel was delivered is not news for the customer."""
    (parcel,) = tracking_numbers(shipped, "#1002")
    path = write_csv(
        tmp_path / "post.csv",
        [
            (parcel, "delivered", moment(1), "", ""),
            (parcel, "delivery_delayed", moment(20), "", "Sorting backlog"),
        ],
    )
    summary = import_file(shipped, path)
    assert summary.orders_delivered == ["#1002"] and summary.orders_attention == []
    assert messages(shipped, "#1002", "delayed") == []


def test_bad_rows_are_rejected_with_their_lines_and_the_rest_lands(
    shipped: Database, tmp_path: Path
) -> None:
    (parcel,) = tracking_numbers(shipped, "#1004")
    (at_dock,) = tracking_numbers(shipped, "#1003")
    path = write_csv(
        tmp_path / "mixed.csv",
        [
            (parcel, "in_transit", moment(9), "Köln", ""),  # line 2
            ("1Z0000000000000000", "in_transit", moment(9), "", ""),  # line 3
            (parcel, "lost in space", moment(8), "", ""),  # line 4
            (parcel, "in_transit", "yesterday", "", ""),  # line 5
            (parcel, "in_transit", "2026-03-01T10:00:00", "", ""),  # line 6: no offset
            (parcel, "", moment(7), "", ""),  # line 7
            (at_dock, "in_transit", moment(7), "", ""),  # line 8: not handed over
            (parcel, "out_for_delivery", moment(3), "Zürich", ""),  # line 9
        ],
    )
    before = counts(shipped)
    summary = import_file(shipped, path)
    assert (summary.new, summary.exit_code) == (2, 1)
    assert [r.line_no for r in summary.rejected] == [3, 4, 5, 6, 7, 8]
    reasons = [r.reason for r in summary.rejected]
    assert reasons[0] == "line 3: no carton has the tracking number or SSCC 1Z0000000000000000"
    assert reasons[1].startswith("line 4: unknown status 'lost in space' (known: pending,")
    assert reasons[2] == (
        "line 5: occurred_at 'yesterday' is not a time like 2026-12-08T09:15:00+01:00"
    )
    assert "has no UTC offset" in reasons[3]
    assert reasons[4] == "line 7: status is empty"
    assert reasons[5] == (
        f"line 8: carton {at_dock} is CLOSED, not handed to the carrier yet "
        "(its manifest is not closed)"
    )
    assert counts(shipped)[0] == before[0] + 2
    assert carton(shipped, parcel).tracking_status == "out_for_delivery"
    assert carton(shipped, at_dock).tracking_status is None


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        (
            "events.csv",
            "tracking_number,status\nX,delivered\n",
            "lacks required column: occurred_at",
        ),
        ("events.csv", "", "is empty"),
        ("events.csv", "tracking_number,status,occurred_at\n", "holds no carrier events"),
        ("events.json", "[{]", "is not valid JSON"),
        ("events.json", '{"parcels": []}', 'has no "events" list'),
        ("events.json", '"delivered"', "is not a JSON list of carrier events"),
        ("events.txt", "tracking_number,status,occurred_at\n", "is neither .csv nor .json"),
    ],
)
def test_an_unusable_file_changes_nothing(
    shipped: Database, tmp_path: Path, name: str, content: str, said: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before = counts(shipped)
    summary = import_file(shipped, path)
    assert summary.exit_code == 2 and summary.unusable is not None and said in summary.unusable
    assert counts(shipped) == before


def test_a_file_not_in_utf8_changes_nothing(shipped: Database, tmp_path: Path) -> None:
    (parcel,) = tracking_numbers(shipped, "#1004")
    path = tmp_path / "latin1.csv"
    when = moment(3).isoformat()
    text = f"tracking_number,status,occurred_at,location\n{parcel},in_transit,{when},Köln\n"
    path.write_bytes(text.encode("latin-1"))
    before = counts(shipped)
    summary = import_file(shipped, path)
    assert summary.exit_code == 2 and "is not UTF-8 text (line 2" in (summary.unusable or "")
    assert counts(shipped) == before


def test_json_events_by_sscc_in_other_spellings(shipped: Database, tmp_path: Path) -> None:
    (parcel,) = tracking_numbers(shipped, "#1004")
    sscc = carton(shipped, parcel).sscc
    assert sscc
    path = write_json(
        tmp_path / "feed.json",
        [
            (f"00{sscc}", "In Transit", moment(12), "Köln", "Departed"),
            (parcel, "OUT_FOR_DELIVERY", moment(4).isoformat().replace("+00:00", "Z"), "", ""),
            ("JJD000000000", "in_transit", moment(4), "", ""),
        ],
        wrapped=True,
    )
    summary = import_file(shipped, path)
    assert summary.new == 2
    assert [(r.line_no, r.reason) for r in summary.rejected] == [
        (17, "line 17: no carton has the tracking number or SSCC JJD000000000")
    ]
    assert carton(shipped, parcel).tracking_status == "out_for_delivery"


def test_a_shipper_may_record_events_a_packer_may_not(shipped: Database) -> None:
    (parcel,) = tracking_numbers(shipped, "#1004")
    event = CarrierEvent(1, parcel, TrackingStatus.IN_TRANSIT, moment(3))
    packer = Actor(None, "Sam", Role.PACKER, "bench")
    with shipped.sessions() as session, pytest.raises(NotAllowed):
        record_events(session, packer, [event])
    shipper = Actor(None, "Lee", Role.SHIPPER, "dock")
    with shipped.sessions() as session, session.begin():
        assert record_events(session, shipper, [event]).new == 1
    assert carton(shipped, parcel).tracking_status == "in_transit"


def test_a_parcel_delivered_back_to_us_is_not_delivered_to_the_customer(
    shipped: Database, tmp_path: Path
) -> None:
    (parcel,) = tracking_numbers(shipped, "#1004")
    path = write_csv(
        tmp_path / "back.csv",
        [
            (parcel, "delivery_failed", moment(30), "Zürich", "Nobody home"),
            (parcel, "return_to_sender", moment(20), "Zürich", "Returning to sender"),
            (parcel, "delivered", moment(2), "Hamburg", "Delivered to the sender"),
        ],
    )
    summary = import_file(shipped, path)
    assert summary.orders_delivered == [] and summary.orders_attention == ["#1004"]
    found = carton(shipped, parcel)
    assert (found.tracking_status, found.delivered_at) == ("return_to_sender", None)
    assert order_status(shipped, "#1004") == "SHIPPED"
    assert messages(shipped, "#1004", "delivered") == []
    with shipped.sessions() as session:
        rows = desk_rows(session, DeskFilter(status=ATTENTION), 0, 50)
    assert "#1004" in [row.number for row in rows]
