"""The outbox relay against a real SMTP server on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
import smtplib
import ssl
import subprocess
import threading
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import OutboxMessage
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.errors import NotAllowed
from app.services.messages.outbox import retry_failed
from app.services.messages.relay import (
    GIVE_UP_ATTEMPTS,
    LONGEST_WAIT,
    RelayNotSetUp,
    relay_outbox,
    wait_after,
)
from app.services.messages.settings import PASSWORD_ENV, NotifySettings
from app.services.messages.smtp import refuse_plain_login
from tests.services.floor import SUPERVISOR
from tests.services.messages.mail import (
    CUSTOMERS,
    RELAY,
    SENDER,
    Logins,
    Mailbox,
    free_port,
    greets_then_hangs_up,
    import_acknowledged,
    outbox,
    queue_plain,
    set_up_relay,
    smtp_server,
)

# A fixed moment: what a message says and when it is retried never depends on today.
MONDAY = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)


@time_machine.travel(MONDAY, tick=False)
def test_acknowledgements_arrive_once_each_with_text_and_html(db: Database, tmp_path: Path) -> None:
    import_acknowledged(db, tmp_path)
    with smtp_server() as (mailbox, port):
        set_up_relay(db, port, reply_to="help@shop.example", shop_name="Tea & Mugs")
        report = relay_outbox(db.sessions, RELAY)
        assert (report.sent, report.failed, report.pending, report.unreachable) == (3, 0, 0, None)
        again = relay_outbox(db.sessions, RELAY)
        assert (again.sent, again.failed, again.pending) == (0, 0, 0)
    assert sorted(mailbox.recipients) == sorted(a for a, _ in CUSTOMERS.values())
    by_recipient = {str(m["To"]): m for m in mailbox.messages}
    for number, (address, _) in CUSTOMERS.items():
        message = by_recipient[address]
        assert number in str(message["Subject"])
        assert message["From"].addresses[0].addr_spec == SENDER
        assert message["From"].addresses[0].display_name == "Tea & Mugs"
        assert str(message["Reply-To"]) == "help@shop.example"
        assert message["Date"].datetime == MONDAY
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert text is not None and html is not None
        assert number in text.get_content() and number in html.get_content()
    rows = outbox(db)
    assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {1}
    assert {r.sent_at for r in rows} == {MONDAY}
    assert sorted(str(m["Message-ID"]) for m in mailbox.messages) == sorted(
        r.message_id for r in rows
    )
    assert all(r.message_id.endswith("@shop.example>") for r in rows)


@time_machine.travel(MONDAY, tick=False)
def test_a_name_with_markup_arrives_escaped_in_the_html_part(db: Database, tmp_path: Path) -> None:
    import_acknowledged(db, tmp_path)
    with smtp_server() as (mailbox, port):
        set_up_relay(db, port)
        relay_outbox(db.sessions, RELAY)
    (message,) = [m for m in mailbox.messages if str(m["To"]) == "mallory@example.com"]
    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    assert html is not None and text is not None
    assert "<script>" not in html.get_content()
    assert "&lt;script&gt;" in html.get_content()
    assert "<script>alert('x')</script>" in text.get_content()  # plain text is shown as typed


def test_the_server_down_loses_nothing_and_sends_once_it_is_back(db: Database) -> None:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        queue_plain(db, 5)
        port = free_port()  # nothing listens here yet
        set_up_relay(db, port)
        report = relay_outbox(db.sessions, RELAY)
        assert report.unreachable is not None
        assert report.unreachable.startswith(f"cannot reach the mail server 127.0.0.1:{port}")
        assert (report.sent, report.failed, report.pending) == (0, 5, 5)
        rows = outbox(db)
        assert {(r.status, r.attempts) for r in rows} == {("pending", 1)}
        assert {r.last_error for r in rows} == {report.unreachable}
        assert {r.next_attempt_at for r in rows} == {MONDAY + timedelta(minutes=1)}
        ids = [r.message_id for r in rows]

        with smtp_server(port=port) as (mailbox, _):
            # Not due yet: the wait after a failed attempt is respected.
            assert relay_outbox(db.sessions, RELAY).sent == 0
            traveller.shift(timedelta(seconds=61))
            report = relay_outbox(db.sessions, RELAY)
            assert (report.sent, report.failed, report.pending, report.unreachable) == (
                5,
                0,
                0,
                None,
            )
            assert relay_outbox(db.sessions, RELAY).sent == 0
    assert Counter(mailbox.recipients) == {f"customer{n}@example.com": 1 for n in range(5)}
    rows = outbox(db)
    assert {(r.status, r.attempts, r.last_error) for r in rows} == {("sent", 2, "")}
    # The Message-ID given at the first attempt went out with the second.
    assert [r.message_id for r in rows] == ids
    assert sorted(str(m["Message-ID"]) for m in mailbox.messages) == sorted(ids)


@time_machine.travel(MONDAY, tick=False)
def test_a_server_that_drops_the_connection_loses_nothing(db: Database) -> None:
    queue_plain(db, 6)
    with smtp_server(Mailbox(drop_after=2)) as (mailbox, port):
        set_up_relay(db, port)
        report = relay_outbox(db.sessions, RELAY)
        assert report.unreachable is not None and "closed the connection" in report.unreachable
        assert (report.sent, report.failed, report.pending) == (2, 1, 4)
        rows = outbox(db)
        assert [(r.status, r.attempts) for r in rows] == [
            ("sent", 1),
            ("sent", 1),
            ("pending", 1),  # the one in flight: tried, and waits a minute
            ("pending", 0),  # the rest: given back untried, due at once
            ("pending", 0),
            ("pending", 0),
        ]
        assert rows[2].last_error == report.unreachable
        assert {r.claimed_until for r in rows} == {None}
        mailbox.drop_after = None
        assert relay_outbox(db.sessions, RELAY).sent == 3
        with time_machine.travel(MONDAY + timedelta(minutes=2), tick=False):
            assert relay_outbox(db.sessions, RELAY).sent == 1
    assert Counter(mailbox.recipients) == {f"customer{n}@example.com": 1 for n in range(6)}
    assert {r.status for r in outbox(db)} == {"sent"}


@time_machine.travel(MONDAY, tick=False)
def test_a_server_that_greets_then_hangs_up_loses_nothing(db: Database) -> None:
    queue_plain(db, 3)
    with greets_then_hangs_up() as port:
        set_up_relay(db, port)
        report = relay_outbox(db.sessions, RELAY)
    assert report.unreachable is not None and f"127.0.0.1:{port}" in report.unreachable
    assert (report.sent, report.failed, report.pending) == (0, 3, 3)
    assert {(r.status, r.attempts) for r in outbox(db)} == {("pending", 1)}


@time_machine.travel(MONDAY, tick=False)
def test_a_refused_recipient_fails_alone(db: Database) -> None:
    queue_plain(db, 3)
    with smtp_server(Mailbox(refused={"customer1@example.com"})) as (mailbox, port):
        set_up_relay(db, port)
        report = relay_outbox(db.sessions, RELAY)
    assert (report.sent, report.failed, report.pending, report.unreachable) == (2, 1, 0, None)
    assert mailbox.recipients == ["customer0@example.com", "customer2@example.com"]
    refused = outbox(db)[1]
    assert refused.status == "failed" and refused.attempts == 1  # 550: trying again is pointless
    assert refused.last_error.startswith("customer1@example.com refused by the server: 550")


@time_machine.travel(MONDAY, tick=False)
def test_an_address_that_cannot_head_an_email_fails_alone(db: Database) -> None:
    queue_plain(db, 3)
    with unit_of_work(db.sessions) as session:  # as an order file could once have put it
        session.get_one(
            OutboxMessage, outbox(db)[1].id
        ).recipient = "ann@example.com\nBcc: someone@elsewhere.example"
    with smtp_server() as (mailbox, port):
        set_up_relay(db, port)
        report = relay_outbox(db.sessions, RELAY)
    assert (report.sent, report.failed, report.pending, report.unreachable) == (2, 1, 0, None)
    assert mailbox.recipients == ["customer0@example.com", "customer2@example.com"]
    bad = outbox(db)[1]
    assert bad.status == "failed" and bad.claimed_until is None
    assert bad.last_error.startswith("the message cannot be written as an e-mail")


def test_a_weekend_without_mail_fails_nothing_at_the_first_try_and_a_retry_tries_again(
    db: Database,
) -> None:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        queue_plain(db, 1)
        set_up_relay(db, free_port())  # nothing listens there
        traveller.move_to(MONDAY + timedelta(days=3))
        relay_outbox(db.sessions, RELAY)
        (row,) = outbox(db)
        assert (row.status, row.attempts) == ("pending", 1)  # 3 days old, but tried once
        for _ in range(GIVE_UP_ATTEMPTS - 1):
            traveller.move_to(row.next_attempt_at)
            relay_outbox(db.sessions, RELAY)
            (row,) = outbox(db)
        assert (row.status, row.attempts) == ("failed", GIVE_UP_ATTEMPTS)
        with unit_of_work(db.sessions) as session:
            assert retry_failed(session, SUPERVISOR, [row.id]) == 1
        relay_outbox(db.sessions, RELAY)
        (row,) = outbox(db)
        assert (row.status, row.attempts) == ("pending", 1)  # five tries again


def test_a_password_crosses_a_network_only_encrypted() -> None:
    remote = NotifySettings(host="mail.example.com", sender=SENDER, username="relay")
    with pytest.raises(smtplib.SMTPException, match="refusing to send the password unencrypted"):
        refuse_plain_login(remote)
    refuse_plain_login(replace(remote, starttls=True))
    refuse_plain_login(replace(remote, tls=True))
    refuse_plain_login(replace(remote, host="127.0.0.1"))  # a relay on this machine
    refuse_plain_login(replace(remote, username=""))  # no login, no password


def test_the_wait_doubles_up_to_an_hour_and_a_day_later_the_message_failed(db: Database) -> None:
    assert [wait_after(n) for n in (1, 2, 3, 6, 7, 50)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=32),
        LONGEST_WAIT,
        LONGEST_WAIT,
    ]
    with time_machine.travel(MONDAY, tick=False) as traveller:
        queue_plain(db, 1)
        set_up_relay(db, free_port())
        waits = []
        while True:
            report = relay_outbox(db.sessions, RELAY)
            assert report.failed == 1
            (row,) = outbox(db)
            if row.status == "failed":
                break
            assert row.next_attempt_at is not None
            waits.append(row.next_attempt_at - datetime.now(UTC))
            traveller.move_to(row.next_attempt_at)
        assert waits[:7] == [timedelta(minutes=2**n) for n in range(6)] + [LONGEST_WAIT]
        assert set(waits[7:]) == {LONGEST_WAIT}
        assert datetime.now(UTC) >= MONDAY + timedelta(days=1)
        assert row.attempts == len(waits) + 1 and row.next_attempt_at is None
        assert "cannot reach the mail server" in row.last_error
        assert relay_outbox(db.sessions, RELAY).failed == 0  # a failed message is not retried


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@time_machine.travel(MONDAY, tick=False)
def test_login_with_the_password_from_the_environment(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue_plain(db, 2)
    logins = Logins("relay@shop.example", "s3cret")
    with smtp_server(authenticator=logins, auth_require_tls=False, auth_required=True) as (
        mailbox,
        port,
    ):
        set_up_relay(db, port, username="relay@shop.example")
        monkeypatch.delenv(PASSWORD_ENV, raising=False)
        with pytest.raises(RelayNotSetUp, match=PASSWORD_ENV):
            relay_outbox(db.sessions, RELAY)
        assert {r.attempts for r in outbox(db)} == {0}  # nothing was claimed

        monkeypatch.setenv(PASSWORD_ENV, "wrong")
        report = relay_outbox(db.sessions, RELAY)
        assert report.unreachable is not None
        assert "refused the login of relay@shop.example: 535" in report.unreachable

        monkeypatch.setenv(PASSWORD_ENV, "s3cret")
        with time_machine.travel(MONDAY + timedelta(minutes=1), tick=False):
            report = relay_outbox(db.sessions, RELAY)
    assert (report.sent, report.unreachable) == (2, None)
    assert logins.seen == ["relay@shop.example"]
    assert len(mailbox.envelopes) == 2


def test_no_server_set_up_is_said_in_one_line(db: Database) -> None:
    queue_plain(db, 1)
    with pytest.raises(
        RelayNotSetUp, match=re.escape("baton notify settings --set host=... sender=...")
    ):
        relay_outbox(db.sessions, RELAY)
    assert {(r.status, r.attempts) for r in outbox(db)} == {("pending", 0)}


def test_only_a_supervisor_relays(db: Database) -> None:
    packer = Actor(operator_id=None, name="Pat", role=Role.PACKER, station="bench 1")
    with pytest.raises(NotAllowed):
        relay_outbox(db.sessions, packer)


def test_two_relays_at_once_deliver_each_message_exactly_once(db: Database) -> None:
    queue_plain(db, 400)
    with smtp_server() as (mailbox, port):
        set_up_relay(db, port)
        start = threading.Barrier(3)
        reports = []

        def relay() -> None:
            start.wait()
            reports.append(relay_outbox(db.sessions, RELAY))

        threads = [threading.Thread(target=relay) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(r.sent for r in reports) == 400 and all(r.unreachable is None for r in reports)
    assert Counter(mailbox.recipients) == {f"customer{n}@example.com": 1 for n in range(400)}
    assert len({str(m["Message-ID"]) for m in mailbox.messages}) == 400
    assert {(r.status, r.attempts) for r in outbox(db)} == {("sent", 1)}


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (made with the openssl tool)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl tool is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_starttls_then_login(
    db: Database, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    queue_plain(db, 2)
    logins = Logins("relay@shop.example", "s3cret")
    options = {"tls_context": server_tls, "require_starttls": True, "authenticator": logins}
    with smtp_server(**options) as (mailbox, port):
        set_up_relay(db, port, starttls="yes", username="relay@shop.example")
        monkeypatch.setenv(PASSWORD_ENV, "s3cret")
        # The server's certificate is not trusted yet: no secure connection, nothing sent.
        report = relay_outbox(db.sessions, RELAY)
        assert report.unreachable is not None
        assert report.unreachable.startswith("no secure connection with the mail server")
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted from now on
        with time_machine.travel(datetime.now(UTC) + timedelta(minutes=2)):
            report = relay_outbox(db.sessions, RELAY)
    assert (report.sent, report.unreachable) == (2, None)
    assert logins.seen == ["relay@shop.example"] and len(mailbox.envelopes) == 2
