"""Address values for layouts: the city line in each country's order."""

from __future__ import annotations

import pytest

from app.domain.order_drafts import AddressDraft
from app.printing.values import address_values, city_line


@pytest.mark.parametrize(
    ("city", "region", "postal", "country", "line"),
    [
        ("Zürich", "ZH", "8001", "CH", "8001 Zürich"),
        ("Springfield", "IL", "62704", "US", "SPRINGFIELD IL 62704"),
        ("Toronto", "ON", "M5V 2T6", "CA", "Toronto ON M5V 2T6"),
        ("London", "", "SW1A 1AA", "gb", "LONDON\nSW1A 1AA"),
        ("Roma", "RM", "00118", "IT", "00118 Roma RM"),
        ("Tokyo", "", "100-0001", "JP", "Tokyo 100-0001"),
        ("Dubai", "", "", "AE", "Dubai"),
    ],
)
def test_city_line(city: str, region: str, postal: str, country: str, line: str) -> None:
    assert city_line(city, region, postal, country) == line


def test_address_values_fill_the_shipped_layouts() -> None:
    draft = AddressDraft("Zoë Ångström", "", "Bahnhofstrasse 12", "", "Zürich", "", "8001", "ch")
    assert address_values(draft) == {
        "ship_to_name": "Zoë Ångström",
        "ship_to_company": "",
        "ship_to_address1": "Bahnhofstrasse 12",
        "ship_to_address2": "",
        "ship_to_city_line": "8001 Zürich",
        "ship_to_country": "CH",
    }
