"""Customs rules: the EU as one territory, its special parts, CN22 or CN23, HS codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.customs import (
    EU,
    EU_MEMBERS,
    CustomsItem,
    customs_territory,
    declaration_form,
    item_value,
    missing_data,
    needs_declaration,
    parse_hs_code,
    parse_origin_country,
)


def test_the_eu_is_one_territory_of_27_members() -> None:
    assert len(EU_MEMBERS) == 27
    assert {customs_territory(c) for c in EU_MEMBERS} == {EU}
    assert customs_territory("mc") == EU  # Monaco, with France


@pytest.mark.parametrize("country", ["US", "GB", "CH", "NO", "JP", "AU", "CA", "AX", "RE"])
def test_a_german_warehouse_declares_what_leaves_the_eu(country: str) -> None:
    assert needs_declaration("DE", country)


@pytest.mark.parametrize("country", ["DE", "FR", "NL", "AT", "IE", "MC", "fr"])
def test_nothing_is_declared_inside_the_eu(country: str) -> None:
    assert not needs_declaration("DE", country)


@pytest.mark.parametrize(
    ("country", "postal_code", "declared"),
    [
        ("ES", "35001", True),  # Las Palmas, Canary Islands
        ("ES", "28013", False),  # Madrid
        ("DE", "27498", True),  # Heligoland
        ("IT", "23041", True),  # Livigno
        ("GB", "BT1 5GS", False),  # Belfast: goods follow the EU's rules
        ("GB", "NW1 6XE", True),  # London
    ],
)
def test_special_territories_are_told_by_postal_code(
    country: str, postal_code: str, declared: bool
) -> None:
    assert needs_declaration("DE", country, postal_code) is declared


def test_a_swiss_warehouse_declares_for_the_eu_but_not_for_liechtenstein() -> None:
    assert needs_declaration("CH", "DE") and not needs_declaration("CH", "LI")


@pytest.mark.parametrize(
    ("value", "currency", "grams", "form"),
    [
        (Decimal("300.00"), "EUR", 2000, "CN22"),
        (Decimal("300.01"), "EUR", 500, "CN23"),
        (Decimal("40"), "EUR", 2001, "CN23"),  # a parcel, not letter post
        (Decimal("260"), "GBP", 500, "CN23"),
        (Decimal("260"), "usd", 500, "CN22"),
        (Decimal("10"), "JPY", 500, "CN23"),  # no limit known: the full form is always valid
        (Decimal("10"), "", 500, "CN23"),
    ],
)
def test_cn22_up_to_the_value_and_weight_limits_else_cn23(
    value: Decimal, currency: str, grams: int, form: str
) -> None:
    assert declaration_form(value, currency, grams) == form


@pytest.mark.parametrize(
    ("raw", "code"),
    [("090230", "090230"), ("0902.30.00", "09023000"), ("6912 00 10 00", "6912001000")],
)
def test_hs_codes_of_6_to_10_digits(raw: str, code: str) -> None:
    assert parse_hs_code(raw) == code


@pytest.mark.parametrize("raw", ["09023", "12345678901", "0902-30", "abcdef", "０９０２３０"])
def test_bad_hs_codes_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="hs_code must be 6 to 10 digits"):
        parse_hs_code(raw)


def test_origin_is_an_iso_country_code() -> None:
    assert parse_origin_country(" pt ") == "PT"
    with pytest.raises(ValueError, match="origin_country must be an ISO country code"):
        parse_origin_country("Portugal")


def test_missing_data_names_the_line_and_what_it_lacks() -> None:
    whole = CustomsItem(
        "MUG", "Stoneware mug", "Mug", 2, 760, item_value(Decimal("12.95"), 2), "691200", "PT"
    )
    gaps = CustomsItem("TOY", "", "Plush Fox", 1, 200, Decimal("9.90"), "", "CN")
    assert whole.value == Decimal("25.90")
    assert missing_data([whole, gaps]) == ["TOY: HS code, customs description"]
