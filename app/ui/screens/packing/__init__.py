"""The pack bench screen, its checklist and carton widgets, and the printing of closed cartons."""
