"""Customer messages on the wire: the e-mail built from an outbox row (a text part and its HTML
alternative, a Message-ID that stays the same on every attempt), the connection to the mail
server, and what the server's answers mean for a supervisor."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from app import clock
from app.services.messages.settings import NotifySettings


@dataclass(frozen=True)
class Outgoing:
    """A claimed row, as plain values: what goes on the wire."""

    id: int
    recipient: str
    subject: str
    text: str
    html: str
    message_id: str


class ServerGone(Exception):
    """The connection cannot carry another message (refused, dropped, timed out)."""


# A server on this machine may take a login without TLS: the password never crosses a network.
_THIS_MACHINE = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def refuse_plain_login(settings: NotifySettings) -> None:
    """SMTPException when a login would send the password over the network in the clear."""
    encrypted = settings.tls or settings.starttls
    if settings.username and not encrypted and settings.host not in _THIS_MACHINE:
        raise smtplib.SMTPException(
            "refusing to send the password unencrypted: set starttls=yes or tls=yes"
        )


def message_id(row_id: int, created_at: datetime, sender: str) -> str:
    """The message's Message-ID, the same on every attempt: its row, when it was queued, and
    the sender's domain."""
    domain = sender.rpartition("@")[2] or "baton.invalid"
    return f"<outbox.{row_id}.{created_at:%Y%m%d%H%M%S}@{domain}>"


def build_email(settings: NotifySettings, message: Outgoing) -> EmailMessage:
    """The e-mail: a plain-text part and its HTML alternative, with the shop as sender."""
    email = EmailMessage()
    email["From"] = formataddr((settings.shop(), settings.sender))
    if settings.reply_to:
        email["Reply-To"] = settings.reply_to
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(clock.now())
    email["Message-ID"] = message.message_id
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


def open_smtp(settings: NotifySettings, password: str | None) -> smtplib.SMTP:
    """A connection to the settings' server, encrypted as they say, logged in when they name a
    user. Raises OSError or smtplib.SMTPException when that cannot be done."""
    server: smtplib.SMTP
    if settings.tls:
        server = smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            timeout=settings.timeout_s,
            context=ssl.create_default_context(),
        )
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
    try:
        server.ehlo()
        if settings.starttls:
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
        if settings.username:
            refuse_plain_login(settings)
            server.login(settings.username, password or "")
    except BaseException:
        server.close()
        raise
    return server


def close(server: smtplib.SMTP) -> None:
    """Say goodbye to the server, or just hang up when it has gone."""
    try:
        server.quit()
    except (OSError, smtplib.SMTPException):
        server.close()


def send_one(
    server: smtplib.SMTP, settings: NotifySettings, message: Outgoing
) -> tuple[str | None, bool]:
    """Hand one message to the server: (None, _) when it took it, else (why, whether trying
    again is pointless). ServerGone when the connection cannot carry another message."""
    try:
        email = build_email(settings, message)
    except ValueError as exc:  # e.g. an address from an order file with a line break in it
        return f"the message cannot be written as an e-mail: {exc}", True
    try:
        server.send_message(email, from_addr=settings.sender, to_addrs=[message.recipient])
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (0, b""))
        return f"{message.recipient} refused by the server: {code} {_text(text)}", code >= 500
    except smtplib.SMTPSenderRefused as exc:
        raise ServerGone(
            f"the mail server refused the sender {settings.sender}: "
            f"{exc.smtp_code} {_text(exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPDataError as exc:
        permanent = exc.smtp_code >= 500
        return f"the server refused the message: {exc.smtp_code} {_text(exc.smtp_error)}", permanent
    except smtplib.SMTPNotSupportedError as exc:
        return f"the server cannot take this message: {exc}", True
    except (OSError, smtplib.SMTPException) as exc:
        raise ServerGone(unusable(settings, exc)) from exc
    return None, False


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())


def unusable(settings: NotifySettings, exc: BaseException) -> str:
    """Why the server cannot be used, in one line for a supervisor."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"the mail server {where} refused the login of {settings.username}: "
            f"{exc.smtp_code} {_text(exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"the mail server {where} closed the connection: {exc or 'no reason given'}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the mail server {where} answered {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, ssl.SSLError):
        return f"no secure connection with the mail server {where}: {exc.reason or exc}"
    if isinstance(exc, TimeoutError):
        return f"the mail server {where} did not answer within {settings.timeout_s:g} s"
    if isinstance(exc, OSError):
        return f"cannot reach the mail server {where}: {exc.strerror or exc}"
    return f"the mail server {where} cannot be used: {exc}"
