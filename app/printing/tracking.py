"""Tracking-number check digits of the carriers whose labels Baton prints."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.domain.gtin import gs1_check_digit
from app.printing.errors import BarcodeError


def ups_check_digit(body: str) -> str:
    """UPS 1Z: over the 15 characters after '1Z', letters as (code - 63) mod 10, even places x2."""
    if not re.fullmatch(r"[0-9A-Z]{15}", body):
        raise ValueError("a UPS tracking body is the 15 letters/digits after '1Z'")
    total = 0
    for i, ch in enumerate(body, start=1):
        value = int(ch) if ch.isdigit() else (ord(ch) - 63) % 10
        total += value * (2 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def fedex_check_digit(body: str) -> str:
    """FedEx Express 12-digit: weights 3,1,7 from the left over 11 digits, mod 11 (10 -> 0)."""
    if not re.fullmatch(r"\d{11}", body):
        raise ValueError("a FedEx Express tracking body is 11 digits")
    weights = (3, 1, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(body))
    return str(total % 11 % 10)


def usps_check_digit(body: str) -> str:
    """USPS IMpb (20 or 22 digits): the GS1 mod-10 check digit."""
    if not re.fullmatch(r"\d{19}|\d{21}", body):
        raise ValueError("a USPS tracking body is 19 or 21 digits")
    return str(gs1_check_digit(body))


def dhl_express_check_digit(body: str) -> str:
    """DHL Express waybill (10 digits): the first nine digits mod 7."""
    if not re.fullmatch(r"\d{9}", body):
        raise ValueError("a DHL Express waybill body is 9 digits")
    return str(int(body) % 7)


def s10_check_digit(serial: str) -> str:
    """UPU S10 (e.g. RB123456785GB): weights 8,6,4,2,3,5,9,7; 11 - sum mod 11, 10 -> 0, 11 -> 5."""
    if not re.fullmatch(r"\d{8}", serial):
        raise ValueError("an S10 serial number is 8 digits")
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: "0", 11: "5"}.get(check, str(check))


@dataclass(frozen=True)
class TrackingScheme:
    """How one carrier's tracking numbers look and where their check digit goes."""

    name: str
    pattern: re.Pattern[str]
    check: Callable[[str], str]
    example: str
    prefix: int = 0  # characters before the checked body ("1Z" for UPS)
    suffix: int = 0  # characters after the check digit (the country code of S10)

    def is_valid(self, number: str) -> bool:
        """Shape and check digit both right."""
        match = self.pattern.fullmatch(number)
        if match is None:
            return False
        body, digit = match.group("body"), match.group("check")
        return self.check(body) == digit

    def complete(self, without_check: str) -> str:
        """The tracking number with its check digit put in its place (after the body)."""
        end = len(without_check) - self.suffix
        return (
            without_check[:end]
            + self.check(without_check[self.prefix : end])
            + (without_check[end:])
        )


SCHEMES: dict[str, TrackingScheme] = {
    s.name: s
    for s in (
        TrackingScheme(
            "ups",
            re.compile(r"1Z(?P<body>[0-9A-Z]{15})(?P<check>\d)"),
            ups_check_digit,
            "1Z5R89390357567127",
            prefix=2,
        ),
        TrackingScheme(
            "fedex",
            re.compile(r"(?P<body>\d{11})(?P<check>\d)"),
            fedex_check_digit,
            "986578788855",
        ),
        TrackingScheme(
            "usps",
            re.compile(r"(?P<body>\d{19}|\d{21})(?P<check>\d)"),
            usps_check_digit,
            "9400111201080805483016",
        ),
        TrackingScheme(
            "dhl-express",
            re.compile(r"(?P<body>\d{9})(?P<check>\d)"),
            dhl_express_check_digit,
            "3318810025",
        ),
        TrackingScheme(
            "s10",
            re.compile(r"[A-Z]{2}(?P<body>\d{8})(?P<check>\d)[A-Z]{2}"),
            s10_check_digit,
            "RB123456785GB",
            prefix=2,
            suffix=2,
        ),
    )
}

# Carrier names as orders and settings spell them (case-insensitive) -> scheme.
_CARRIERS = {
    "ups": "ups",
    "fedex": "fedex",
    "fedex express": "fedex",
    "usps": "usps",
    "dhl": "dhl-express",
    "dhl express": "dhl-express",
    "royal mail": "s10",
    "postnl": "s10",
    "deutsche post": "s10",
    "la poste": "s10",
    "swiss post": "s10",
    "post ch": "s10",
    "posti": "s10",
    "bpost": "s10",
}


def scheme_for_carrier(carrier: str) -> TrackingScheme | None:
    """The tracking-number scheme of `carrier`, or None when Baton does not know it."""
    name = _CARRIERS.get(" ".join(carrier.lower().split()))
    return SCHEMES[name] if name else None


def normalise_tracking_number(number: str) -> str:
    """Spaces removed and letters upper-cased, as carriers print and scan them."""
    return "".join(number.split()).upper()


def check_tracking_number(carrier: str, number: str) -> str:
    """The normalised tracking number; BarcodeError when it breaks the carrier's scheme."""
    clean = normalise_tracking_number(number)
    if not clean:
        raise BarcodeError(f"the {carrier or 'carrier'} tracking number is empty")
    scheme = scheme_for_carrier(carrier)
    if scheme is not None and not scheme.is_valid(clean):
        raise BarcodeError(
            f"{number!r} is not a valid {carrier} tracking number (wrong length, characters or "
            f"check digit; a valid one looks like {scheme.example})"
        )
    return clean
