"""One function per user action, grouped by the stage of the order's journey it serves."""
