"""Values for layouts from addresses: the city line in the order each country's post reads it."""

from __future__ import annotations

from typing import Protocol

# Countries whose addresses put the postal code before the city ("8001 Zürich").
_POSTAL_FIRST = frozenset(
    {
        "AT",
        "BE",
        "CH",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "AR",
        "BR",
        "CL",
        "MX",
        "TR",
        "IL",
    }
)
# Countries that write "City REGION POSTAL" ("SPRINGFIELD IL 62704").
_REGION_AFTER_CITY = frozenset(["US", "CA", "AU"])


class Address(Protocol):
    """Anything with the fields of a ship-to address (an order draft's or an order's)."""

    @property
    def name(self) -> str: ...
    @property
    def company(self) -> str: ...
    @property
    def address1(self) -> str: ...
    @property
    def address2(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def postal_code(self) -> str: ...
    @property
    def country(self) -> str: ...


def city_line(city: str, region: str, postal_code: str, country: str) -> str:
    """The line with city and postal code, as the destination country's post expects it."""
    code = country.strip().upper()
    city, region, postal_code = city.strip(), region.strip(), postal_code.strip()
    if code in _POSTAL_FIRST:
        parts = [postal_code, city, region if code in {"IT", "ES", "MX", "BR"} else ""]
    elif code == "GB":
        return "\n".join(p for p in (city.upper(), postal_code.upper()) if p)
    elif code in _REGION_AFTER_CITY:
        parts = [city.upper() if code == "US" else city, region, postal_code]
    else:
        parts = [city, region, postal_code]
    return " ".join(p for p in parts if p)


def address_values(address: Address, prefix: str = "ship_to") -> dict[str, str]:
    """The `{prefix}_...` values the shipped layouts use for an address."""
    return {
        f"{prefix}_name": address.name,
        f"{prefix}_company": address.company,
        f"{prefix}_address1": address.address1,
        f"{prefix}_address2": address.address2,
        f"{prefix}_city_line": city_line(
            address.city, address.region, address.postal_code, address.country
        ),
        f"{prefix}_country": address.country.strip().upper(),
    }
