"""Customs: whether a carton leaves the warehouse's customs territory, which declaration it
carries (CN22 or CN23), and what the declaration still lacks.

The forms are the Universal Postal Union's: CN22 for a small item of low value, CN23 for
everything else. Carriers other than the post accept the same content (a commercial invoice
repeats it), so one declaration serves every carrier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from app.domain.address import ISO_COUNTRIES

# The 27 member states of the European Union: one customs territory and one VAT area.
EU_MEMBERS = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip
EU = "EU"

# Countries and territories with their own ISO code that sit inside another's customs
# territory: Monaco with France (so the EU), Liechtenstein with Switzerland, Puerto Rico
# with the United States.
_INSIDE: dict[str, str] = {"MC": EU, "LI": "CH", "PR": "US"}

# Parts of EU member states that are outside the EU's VAT area (and some outside its customs
# territory): goods sent there need a declaration although the country code is an EU one.
# They are told apart by postal code. The French overseas departments (GP, MQ, GF, RE, YT)
# and Åland (AX) have ISO codes of their own, so they are outside by their country code.
_OUTSIDE_BY_POSTAL_CODE: dict[str, tuple[tuple[str, str], ...]] = {
    "ES": (
        ("35", "Canary Islands"),
        ("38", "Canary Islands"),
        ("51", "Ceuta"),
        ("52", "Melilla"),
    ),
    "DE": (("27498", "Heligoland"), ("78266", "Büsingen am Hochrhein")),
    "IT": (("23041", "Livigno"), ("22061", "Campione d'Italia")),
    "GR": (("63086", "Mount Athos"), ("63087", "Mount Athos")),
}

# Northern Ireland (BT postcodes) follows the EU's rules for goods (Windsor Framework):
# goods between it and the EU move without a customs declaration.
_NORTHERN_IRELAND = "BT"

FORM_SMALL, FORM_FULL = "CN22", "CN23"
# UPU Convention: a CN22 may accompany an item whose contents are worth up to 300 SDR; above
# that the item needs a CN23. The SDR floats against every currency, so each limit below is
# a round number at or under 300 SDR in that currency (300 SDR was about 360 EUR, 390 USD,
# 310 GBP, 340 CHF in 2026): a carton never gets a CN22 where a CN23 is due. An order in a
# currency not listed always gets a CN23, which is valid at any value.
CN22_VALUE_LIMITS: dict[str, Decimal] = {
    "EUR": Decimal("300"),
    "USD": Decimal("300"),
    "GBP": Decimal("250"),
    "CHF": Decimal("300"),
}
# A CN22 goes with letter-post items (small packets) of up to 2 kg; anything heavier travels
# as a parcel, which needs a CN23. The carton's weighed (gross) weight decides.
CN22_MAX_WEIGHT_G = 2000

_HS_SEPARATORS = re.compile(r"[\s.]")


def customs_territory(country: str, postal_code: str = "") -> str:
    """The customs territory an address lies in: "EU" for the Union, else a country code.

    A special territory of a member state outside the EU's VAT area (the Canary Islands,
    Heligoland, ...) is its own territory, named "ES-Canary Islands" and so on.
    """
    code = country.strip().upper()
    postal = postal_code.replace(" ", "").upper()
    for prefix, name in _OUTSIDE_BY_POSTAL_CODE.get(code, ()):
        if postal.startswith(prefix):
            return f"{code}-{name}"
    if code == "GB" and postal.startswith(_NORTHERN_IRELAND) and postal[2:3].isdigit():
        return EU
    if code in EU_MEMBERS:
        return EU
    return _INSIDE.get(code, code)


def needs_declaration(origin_country: str, country: str, postal_code: str = "") -> bool:
    """Whether goods sent from `origin_country` to this address cross a customs border."""
    return customs_territory(origin_country) != customs_territory(country, postal_code)


def declaration_form(value: Decimal, currency: str, gross_weight_g: int) -> str:
    """CN22 for a carton of up to 2 kg worth up to the CN22 limit of its currency, else CN23."""
    limit = CN22_VALUE_LIMITS.get(currency.strip().upper())
    if limit is None or value > limit or gross_weight_g > CN22_MAX_WEIGHT_G:
        return FORM_FULL
    return FORM_SMALL


def parse_hs_code(raw: str) -> str:
    """An HS (tariff) code of 6 to 10 digits; dots and spaces between groups are dropped
    ("0912.10 00" -> "09121000"). ValueError names what is wrong."""
    digits = _HS_SEPARATORS.sub("", raw)
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"hs_code must be 6 to 10 digits, got '{raw}'")
    if not 6 <= len(digits) <= 10:
        raise ValueError(f"hs_code must be 6 to 10 digits, got {len(digits)} in '{raw}'")
    return digits


def parse_origin_country(raw: str) -> str:
    """A country of origin as an ISO 3166 alpha-2 code (upper case). ValueError otherwise."""
    code = raw.strip().upper()
    if code not in ISO_COUNTRIES:
        raise ValueError(
            f"origin_country must be an ISO country code such as DE or CN, got '{raw}'"
        )
    return code


@dataclass(frozen=True)
class CustomsItem:
    """One line of a declaration: a product and how many of its units are in the carton."""

    sku: str
    description: str  # the product's customs description; "" when it has none
    name: str  # the product's name, printed when there is no customs description
    quantity: int
    net_weight_g: int
    value: Decimal
    hs_code: str
    origin_country: str

    @property
    def missing(self) -> tuple[str, ...]:
        """What the declaration lacks for this line, in a packer's words."""
        gaps = (
            (self.hs_code, "HS code"),
            (self.origin_country, "country of origin"),
            (self.description, "customs description"),
        )
        return tuple(word for value, word in gaps if not value.strip())


def item_value(unit_price: Decimal, units: int) -> Decimal:
    """A line's value on a declaration: the price the customer paid for the units shipped."""
    return (unit_price * units).quantize(Decimal("0.01"))


def missing_data(items: list[CustomsItem]) -> list[str]:
    """One phrase per line that lacks something: "MUG-0003: HS code, country of origin"."""
    return [f"{item.sku}: {', '.join(item.missing)}" for item in items if item.missing]
