"""Keeping customers informed: messages queued with the change they report, relayed over SMTP."""
