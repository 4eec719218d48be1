"""Keeping customers informed: messages queued in the outbox with the change they report,
rendered from templates, and relayed over SMTP."""

from app.services.messages.queue import (
    Message,
    Recipient,
    dedupe_key,
    queue_messages,
    shipped_items,
)
from app.services.messages.settings import NotifySettings, notify_settings, set_notify_settings
from app.services.messages.templates import KINDS, Rendered, render

__all__ = [
    "KINDS",
    "Message",
    "NotifySettings",
    "Recipient",
    "Rendered",
    "dedupe_key",
    "notify_settings",
    "queue_messages",
    "render",
    "set_notify_settings",
    "shipped_items",
]
