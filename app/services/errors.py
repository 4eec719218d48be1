"""Typed failures a service raises; each carries a message an operator can act on."""

from __future__ import annotations

from app.domain.scanning.refusals import Refusal


class BatonError(Exception):
    """Base of every expected failure: the message is shown to the operator as it is.

    `refusal` is the kind of mistake when the failure refuses a scan (the floor's journal
    counts them): each class has a default, and a raise site may name a closer one.
    """

    refusal: Refusal = Refusal.OTHER

    def __init__(self, *args: object, refusal: Refusal | None = None) -> None:
        super().__init__(*args)
        if refusal is not None:
            self.refusal = refusal

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class NotAllowed(BatonError):
    """The operator's role does not permit this action."""

    refusal = Refusal.NOT_ALLOWED


class OperatorDisabled(NotAllowed):
    """The operator's badge was disabled by a supervisor: no more actions until it is enabled."""


class NotFound(BatonError):
    """The thing named (order, product, location, badge...) does not exist."""

    refusal = Refusal.UNKNOWN_CODE


class InvalidInput(BatonError):
    """The input cannot be used as given; nothing was changed."""


class WrongState(BatonError):
    """The thing exists but is not in a state that allows this action."""

    refusal = Refusal.WRONG_STATE


class Conflict(BatonError):
    """Another station changed the same thing first; try again."""


class BadgeLocked(NotAllowed):
    """Too many wrong PINs in a row locked the badge: no login or approval until unlocked."""


class PinTooSoon(NotAllowed):
    """A PIN tried before the wait after the last wrong ones was over."""
