"""Check digits against published examples: GS1 (SSCC, GTIN) and each carrier's scheme."""

from __future__ import annotations

import pytest

from app.domain.gtin import gs1_check_digit, is_gtin, with_check_digit
from app.printing.errors import BarcodeError
from app.printing.gs1 import is_sscc, make_sscc, parse_element_string
from app.printing.tracking import SCHEMES, check_tracking_number, scheme_for_carrier


def test_sscc_published_example() -> None:
    # GS1 General Specifications' example SSCC: extension 1, prefix 0614141, check digit 8.
    assert gs1_check_digit("10614141234567890") == 8
    assert is_sscc("106141412345678908")
    assert not is_sscc("106141412345678907")
    assert make_sscc(1, "0614141", 234567890) == "106141412345678908"


@pytest.mark.parametrize(
    "gtin",
    [
        "4006381333931",
        "9501101530003",
        "5901234123457",
        "036000291452",
        "96385074",
        "10614141000415",
    ],
)
def test_published_gtins_are_valid(gtin: str) -> None:
    assert is_gtin(gtin)
    assert with_check_digit(gtin[:-1]) == gtin


def test_make_sscc_rejects_what_does_not_fit() -> None:
    with pytest.raises(ValueError):
        make_sscc(10, "0614141", 1)
    with pytest.raises(ValueError):
        make_sscc(1, "0614141", 10**9)
    with pytest.raises(ValueError):
        make_sscc(1, "12345", 1)


def test_element_string_places_fnc1_only_after_variable_fields() -> None:
    element = parse_element_string("(01)09501101530003(10)ABC123(21)XYZ")
    assert element.human_readable == "(01)09501101530003(10)ABC123(21)XYZ"
    # FNC1 first; none after the fixed-length (01); one after the variable-length (10).
    assert element.symbol_data == "\xf10109501101530003" + "10ABC123\xf121XYZ"
    assert element.transmitted == "010950110153000310ABC123\x1d21XYZ"


def test_brackets_are_never_encoded() -> None:
    element = parse_element_string("(00)106141412345678908")
    assert "(" not in element.symbol_data and ")" not in element.symbol_data
    assert element.transmitted == "00106141412345678908"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("(00)106141412345678907", "check digit"),
        ("(00)10614141234567890", "18"),
        ("00106141412345678908", "brackets"),
        ("(01)09501101530003(10)", "characters"),
        ("(10)ÄBC", "allow"),
        ("(99)" + "9" * 80, "48"),
        ("(7)123", "brackets"),
        ("(789)1", "unknown"),
    ],
)
def test_bad_element_strings_say_why(text: str, why: str) -> None:
    with pytest.raises(BarcodeError, match=why):
        parse_element_string(text)


VALID = {
    "ups": ["1Z5R89390357567127", "1Z879E930346834440", "1Z410E7W0392751591", "1Z999AA10123456784"],
    "fedex": ["986578788855", "477179081230", "799531274483", "790535312317"],
    "usps": [
        "03071790000523483741",
        "9400111201080805483016",
        "9505511069605048600624",
        "9361289878700317633795",
    ],
    "dhl-express": ["3318810025", "8487135506", "1099255990", "3821724944"],
    "s10": ["RB123456785GB", "RB123456785US"],
}
INVALID = {
    "ups": ["1Z5R89390357567128", "1Z1111111111111111"],
    "fedex": ["996578788855"],
    "usps": ["03071790000523483742", "9200000000000000000000"],
    "dhl-express": ["3318810010", "3318810034"],
    "s10": ["RB123456786US"],
}


@pytest.mark.parametrize(("scheme", "number"), [(s, n) for s, ns in VALID.items() for n in ns])
def test_published_tracking_numbers_are_valid(scheme: str, number: str) -> None:
    assert SCHEMES[scheme].is_valid(number)


@pytest.mark.parametrize(("scheme", "number"), [(s, n) for s, ns in INVALID.items() for n in ns])
def test_wrong_tracking_numbers_are_caught(scheme: str, number: str) -> None:
    assert not SCHEMES[scheme].is_valid(number)


@pytest.mark.parametrize(
    ("scheme", "without_check", "complete"),
    [
        ("ups", "1Z999AA1012345678", "1Z999AA10123456784"),
        ("s10", "RB12345678GB", "RB123456785GB"),
        ("fedex", "98657878885", "986578788855"),
        ("dhl-express", "331881002", "3318810025"),
        ("usps", "940011120108080548301", "9400111201080805483016"),
    ],
)
def test_check_digits_are_computed_for_numbers_we_issue(
    scheme: str, without_check: str, complete: str
) -> None:
    assert SCHEMES[scheme].complete(without_check) == complete


def test_carrier_names_choose_the_scheme_and_normalise() -> None:
    assert scheme_for_carrier("UPS") is SCHEMES["ups"]
    assert scheme_for_carrier("  dhl   express ") is SCHEMES["dhl-express"]
    assert scheme_for_carrier("Royal Mail") is SCHEMES["s10"]
    assert scheme_for_carrier("Local courier") is None
    assert check_tracking_number("UPS", "1z 5r8 939 03 5756 7127") == "1Z5R89390357567127"
    assert check_tracking_number("Local courier", "ABC 123") == "ABC123"
    with pytest.raises(BarcodeError, match="not a valid UPS tracking number"):
        check_tracking_number("UPS", "1Z5R89390357567128")
    with pytest.raises(BarcodeError, match="empty"):
        check_tracking_number("UPS", "  ")
