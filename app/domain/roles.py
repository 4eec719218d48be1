"""Who may do what: operator roles, checked in the service layer."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PICKER = "picker"
    SORTER = "sorter"
    PACKER = "packer"
    SHIPPER = "shipper"
    SUPERVISOR = "supervisor"

    @property
    def label(self) -> str:
        """The role as people write it: `Picker`."""
        return self.value.capitalize()
