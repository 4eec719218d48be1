"""The supervisor's station relays the outbox in the background and shows failed messages."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.db.database import Database
from app.db.models import OutboxMessage
from app.ui import outbox_relay
from app.ui.harness import type_scan
from app.ui.main_window import MainWindow
from tests.services.messages.mail import Mailbox, set_up_relay, smtp_server
from tests.ui.helpers import sqlite_only

SUPERVISOR, PICKER = "OP-9001", "OP-1001"


def pending(database: Database) -> list[str]:
    with database.sessions() as session:
        return list(
            session.scalars(
                select(OutboxMessage.recipient)
                .where(OutboxMessage.status == "pending")
                .order_by(OutboxMessage.id)
            )
        )


def test_a_supervisor_logged_in_relays_the_outbox_off_the_gui_thread(
    window: MainWindow, database: Database, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting = pending(database)
    assert len(waiting) > 100  # the demo's acknowledgements
    threads: list[threading.Thread] = []
    real = outbox_relay.relay_outbox

    def relay(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(outbox_relay, "relay_outbox", relay)
    with smtp_server(Mailbox(refused={waiting[0]})) as (mailbox, port):
        set_up_relay(database, port)
        with qtbot.waitSignal(window.outbox_relay.state, timeout=30_000) as signal:
            type_scan(window, SUPERVISOR)
    assert threads and threads[0] is not threading.main_thread()
    assert sorted(mailbox.recipients) == sorted(waiting[1:])
    assert signal.args[0].failed == 1 and signal.args[0].problem is None
    assert window.outbox_line.isVisible()
    assert window.outbox_line.text() == (
        "⚠ 1 customer message failed: baton outbox --status failed "
        "(then baton outbox retry --failed)"
    )
    assert window.outbox_relay.running
    type_scan(window, SUPERVISOR)  # the same badge again logs out
    assert not window.outbox_relay.running and not window.outbox_line.isVisible()


@sqlite_only
def test_an_unreachable_server_is_shown_and_nothing_is_lost(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    count = len(pending(database))
    set_up_relay(database, 9)  # nothing listens on port 9
    with qtbot.waitSignal(window.outbox_relay.state, timeout=30_000):
        type_scan(window, SUPERVISOR)
    text = window.outbox_line.text()
    assert text.startswith(f"⚠ Customer messages not going out ({count} waiting): ")
    assert "cannot reach the mail server 127.0.0.1:9" in text
    assert len(pending(database)) == count


@sqlite_only
def test_no_relay_for_a_picker_nor_without_a_server(
    window: MainWindow, database: Database, qtbot: QtBot
) -> None:
    type_scan(window, PICKER)
    assert not window.outbox_relay.running and not window.outbox_line.isVisible()
    type_scan(window, PICKER)  # logged out
    with qtbot.waitSignal(window.outbox_relay.state, timeout=30_000) as signal:
        type_scan(window, SUPERVISOR)  # no mail server set up in the demo: nothing is sent
    assert signal.args[0].failed == 0 and signal.args[0].problem is None
    assert not window.outbox_line.isVisible()
    with database.sessions() as session:
        assert session.scalar(select(func.max(OutboxMessage.attempts))) == 0
