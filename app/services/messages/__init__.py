"""Customer messages: queued in the outbox with the change they report, relayed over SMTP."""
