"""The put wall: a batch tote's items sorted back into orders, one slot per order."""
