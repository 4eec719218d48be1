"""GS1 check digits (GTIN-8/12/13/14, SSCC-18) by the standard mod-10 rule."""

from __future__ import annotations

GTIN_LENGTHS = frozenset({8, 12, 13, 14})


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for `body` (all digits, without the check digit)."""
    if not body.isdigit() or not body.isascii():
        raise ValueError(f"not digits: {body!r}")
    total = 0
    # Weights 3,1,3,1... starting from the rightmost digit of the body.
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def has_valid_check_digit(code: str) -> bool:
    """True when the last digit of `code` is the GS1 check digit of the rest."""
    if len(code) < 2 or not code.isascii() or not code.isdigit():
        return False
    return gs1_check_digit(code[:-1]) == int(code[-1])


def is_gtin(code: str) -> bool:
    """A GTIN-8, -12, -13 or -14 with a correct check digit."""
    return len(code) in GTIN_LENGTHS and has_valid_check_digit(code)


def with_check_digit(body: str) -> str:
    """`body` followed by its GS1 check digit."""
    return body + str(gs1_check_digit(body))


def gtin14(code: str) -> str:
    """A GTIN of any length, left-padded to 14 digits (the form GS1 AI (01) carries)."""
    if not is_gtin(code):
        raise ValueError(f"not a valid GTIN: {code!r}")
    return code.rjust(14, "0")
