"""`baton notify settings` and `baton outbox` with a real SMTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.db.database import Database
from app.services.messages.settings import PASSWORD_ENV
from tests.services.messages.mail import (
    CUSTOMERS,
    SENDER,
    Mailbox,
    free_port,
    import_acknowledged,
    outbox,
    queue_plain,
    set_up_relay,
    smtp_server,
)

Capture = pytest.CaptureFixture[str]


def run(capsys: Capture, db: Database, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    url = db.engine.url.render_as_string(hide_password=False)
    code = main(["--database", url, *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def as_json(out: str) -> Any:
    return json.loads(out)


def test_notify_settings_shown_set_and_never_a_password(
    db: Database, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    code, out, _ = run(capsys, db, "notify", "settings", "--json")
    shown = as_json(out)
    assert code == 0 and shown["host"] == "" and shown["configured"] is False
    assert shown["password_set"] is False
    code, out, _ = run(capsys, db, "notify", "settings")
    assert "No mail server yet" in out

    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    code, out, _ = run(
        capsys,
        db,
        "notify",
        "settings",
        "--set",
        "host=smtp.example.com",
        "--set",
        "port=587",
        "--set",
        "starttls=yes",
        "--set",
        f"sender={SENDER}",
        "--set",
        "username=relay@shop.example",
        "--json",
    )
    shown = as_json(out)
    assert code == 0 and shown["port"] == 587 and shown["starttls"] is True
    assert shown["configured"] is True and shown["password_set"] is True
    assert "s3cret" not in out
    code, out, _ = run(capsys, db, "notify", "settings")
    assert code == 0 and "s3cret" not in out
    assert f"password   from ${PASSWORD_ENV} (set)" in out
    assert f"through smtp.example.com:587 (STARTTLS) from Baton Demo Warehouse <{SENDER}>" in out

    code, _, err = run(capsys, db, "notify", "settings", "--set", "port=seven")
    assert code == 1 and err == "baton: port must be a number from 1 to 65535, not 'seven'.\n"
    code, _, err = run(capsys, db, "notify", "settings", "--set", "port")
    assert code == 2 and err == "baton: give --set KEY=VALUE, got 'port'\n"


def test_outbox_send_without_a_server_says_how_to_set_one(db: Database, capsys: Capture) -> None:
    queue_plain(db, 1)
    code, out, err = run(capsys, db, "outbox", "send", "--json")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert "set one with baton notify settings --set host=... sender=..." in err


def test_outbox_send_and_the_list(db: Database, capsys: Capture, tmp_path: Path) -> None:
    import_acknowledged(db, tmp_path)
    code, out, _ = run(capsys, db, "outbox", "--json")
    rows = as_json(out)
    assert code == 0 and {(r["order"], r["status"]) for r in rows} == {
        (n, "pending") for n in CUSTOMERS
    }
    with smtp_server() as (mailbox, port):
        set_up_relay(db, port)
        code, out, err = run(capsys, db, "outbox", "send", "--json")
        assert (code, err) == (0, "")
        assert as_json(out) == {"sent": 3, "failed": 0, "pending": 0, "unreachable": None}
        code, out, _ = run(capsys, db, "outbox", "send")
        assert (code, out) == (0, "0 sent, 0 failed, 0 waiting in the outbox\n")
    assert sorted(mailbox.recipients) == sorted(a for a, _ in CUSTOMERS.values())
    code, out, _ = run(capsys, db, "outbox", "--status", "sent", "--json")
    rows = as_json(out)
    assert {(r["order"], r["recipient"], r["attempts"]) for r in rows} == {
        (n, a, 1) for n, (a, _) in CUSTOMERS.items()
    }
    code, out, _ = run(capsys, db, "outbox", "--status", "sent")
    assert code == 0 and "zoe@example.com" in out and "#2" in out and "received" in out
    code, out, _ = run(capsys, db, "outbox", "--status", "failed")
    assert (code, out) == (0, "No customer messages failed.\n")


def test_outbox_send_exits_1_when_the_server_cannot_be_reached(
    db: Database, capsys: Capture
) -> None:
    queue_plain(db, 2)
    port = free_port()
    set_up_relay(db, port)
    code, out, err = run(capsys, db, "outbox", "send", "--json")
    assert code == 1
    assert as_json(out)["pending"] == 2 and as_json(out)["failed"] == 2
    assert err.startswith(f"baton: cannot reach the mail server 127.0.0.1:{port}")
    assert err.count("\n") == 1
    code, out, _ = run(capsys, db, "outbox", "--status", "pending")
    assert "cannot reach the mail server" in out


def test_failed_messages_are_listed_and_retried(db: Database, capsys: Capture) -> None:
    queue_plain(db, 2)
    with smtp_server(Mailbox(refused={"customer1@example.com"})) as (mailbox, port):
        set_up_relay(db, port)
        code, out, _ = run(capsys, db, "outbox", "send", "--json")
        assert code == 0 and as_json(out)["failed"] == 1
        code, out, _ = run(capsys, db, "outbox", "--status", "failed", "--json")
        (failed,) = as_json(out)
        assert failed["recipient"] == "customer1@example.com" and "550" in failed["last_error"]

        code, _, err = run(capsys, db, "outbox", "retry")
        assert code == 2 and "--failed" in err
        sent_id = next(r.id for r in outbox(db) if r.status == "sent")
        code, _, err = run(capsys, db, "outbox", "retry", str(sent_id))
        assert code == 1 and f"{sent_id} is sent" in err
        code, out, _ = run(capsys, db, "outbox", "retry", "--failed")
        assert (code, out.split()[0]) == (0, "1")
        mailbox.refused.clear()
        code, out, _ = run(capsys, db, "outbox", "send", "--json")
        assert as_json(out)["sent"] == 1
    assert sorted(mailbox.recipients) == ["customer0@example.com", "customer1@example.com"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_outbox_send_watch_relays_until_interrupted(db: Database, capsys: Capture) -> None:
    queue_plain(db, 3)
    with smtp_server() as (mailbox, port):
        set_up_relay(db, port)

        def interrupt_when_sent() -> None:
            deadline = time.monotonic() + 20
            while len(mailbox.envelopes) < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C

        def queue_more_later() -> None:
            while len(mailbox.envelopes) < 3:
                time.sleep(0.05)
            queue_plain(db, 1, start=3)  # queued while the relay watches

        threads = [
            threading.Thread(target=interrupt_when_sent),
            threading.Thread(target=queue_more_later),
        ]
        for thread in threads:
            thread.start()
        code, out, err = run(capsys, db, "outbox", "send", "--watch", "--every", "1")
        for thread in threads:
            thread.join()
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "3 sent, 0 failed, 0 waiting in the outbox",
        "1 sent, 0 failed, 0 waiting in the outbox",
    ]
    assert len(mailbox.envelopes) == 4
