"""Typed failures a service raises; each carries a message an operator can act on."""

from __future__ import annotations


class BatonError(Exception):
    """Base of every expected failure: the message is shown to the operator as it is."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class NotAllowed(BatonError):
    """The operator's role does not permit this action."""


class OperatorDisabled(NotAllowed):
    """The operator's badge was disabled by a supervisor: no more actions until it is enabled."""


class NotFound(BatonError):
    """The thing named (order, product, location, badge...) does not exist."""


class InvalidInput(BatonError):
    """The input cannot be used as given; nothing was changed."""


class WrongState(BatonError):
    """The thing exists but is not in a state that allows this action."""


class Conflict(BatonError):
    """Another station changed the same thing first; try again."""


class BadgeLocked(NotAllowed):
    """Too many wrong PINs in a row locked the badge: no login or approval until unlocked."""


class PinTooSoon(NotAllowed):
    """A PIN tried before the wait after the last wrong ones was over."""
