"""Why a station refused a scan: one word per kind of mistake, counted on the floor's journal."""

from __future__ import annotations

from enum import StrEnum


class Refusal(StrEnum):
    """The kind of a refused scan (what the operator got wrong, not the message they saw)."""

    WRONG_LOCATION = "wrong_location"
    WRONG_ITEM = "wrong_item"
    WRONG_TOTE = "wrong_tote"
    WRONG_SLOT = "wrong_slot"
    WRONG_CARRIER = "wrong_carrier"
    OVER_PICK = "over_pick"
    WEIGHT_OUT_OF_TOLERANCE = "weight_out_of_tolerance"
    ALREADY_DONE = "already_done"
    UNKNOWN_CODE = "unknown_code"
    NOT_EXPECTED = "not_expected"  # a scan of the wrong kind at this step
    WRONG_STATE = "wrong_state"
    NOT_ALLOWED = "not_allowed"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The kind in words, for tables and the dashboard."""
        return self.value.replace("_", " ")
