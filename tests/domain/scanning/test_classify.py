"""The scan classifier: every kind of code, symbology identifiers, GS1 strings, bad input."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.gtin import gtin14, with_check_digit
from app.domain.scanning.classify import (
    DEFAULT_PATTERNS,
    GS,
    MAX_SCAN_LENGTH,
    Scan,
    ScanKind,
    ScanPatterns,
    ScanRejected,
    classify,
)

DOCS = Path(__file__).resolve().parents[3] / "docs" / "scanning.md"
GTIN = "09506000134352"  # GS1's published example GTIN-14
SSCC = "106141412345678908"  # GS1's published example SSCC


def accepted(raw: str, patterns: ScanPatterns = DEFAULT_PATTERNS, gs_substitute: str = "|") -> Scan:
    result = classify(raw, patterns, gs_substitute)
    assert isinstance(result, Scan), result.describe()
    return result


def rejected(
    raw: str, patterns: ScanPatterns = DEFAULT_PATTERNS, gs_substitute: str = "|"
) -> ScanRejected:
    result = classify(raw, patterns, gs_substitute)
    assert isinstance(result, ScanRejected), result.describe()
    return result


# --- every kind with the default patterns ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "code", "description"),
    [
        ("OP-1001", ScanKind.BADGE, "OP-1001", "Badge OP-1001"),
        ("A03-12-2", ScanKind.LOCATION, "A03-12-2", "Location A03-12-2 (aisle 3, bay 12, level 2)"),
        ("T0001", ScanKind.TOTE, "T0001", "Tote T0001"),
        ("W1-B5", ScanKind.SLOT, "W1-B5", "Put-wall slot W1-B5 (wall 1, row B, column 5)"),
        ("BOX-M", ScanKind.BOX, "BOX-M", "Box type BOX-M"),
        ("#1001", ScanKind.ORDER, "#1001", "Order #1001"),
        ("MUG-0001", ScanKind.PRODUCT, "MUG-0001", "Product SKU MUG-0001"),
        ("4006381333931", ScanKind.PRODUCT, "04006381333931", "Product GTIN 04006381333931"),
        (SSCC, ScanKind.CARTON, SSCC, f"Carton SSCC {SSCC}"),
        (
            "1Z5R89390357567127",
            ScanKind.TRACKING,
            "1Z5R89390357567127",
            "Tracking number 1Z5R89390357567127 (UPS)",
        ),
    ],
)
def test_every_kind_with_the_defaults(
    raw: str, kind: ScanKind, code: str, description: str
) -> None:
    scan = accepted(raw)
    assert (scan.kind, scan.code, scan.raw, scan.symbology) == (kind, code, raw, None)
    assert scan.describe() == description


def test_location_and_slot_parts_are_parsed() -> None:
    location = accepted("A03-12-2")
    assert location.parts == (("aisle", "3"), ("bay", "12"), ("level", "2"))
    assert ("Aisle", "3") in location.fields
    slot = accepted("W12-C10")
    assert (slot.part("wall"), slot.part("row"), slot.part("column")) == ("12", "C", "10")
    assert slot.part("shelf") is None


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("1Z5R89390357567127", "UPS"),
        ("9400111201080805483016", "USPS"),
        ("92055901755477000000000015", None),  # 26 digits: not a default USPS shape
        ("3318810025", "DHL Express"),
        ("RB123456785GB", "Royal Mail"),
        ("RR123456785CH", "Swiss Post"),
        ("RB123456785FR", "Postal service"),
    ],
)
def test_tracking_numbers_name_their_carrier(number: str, carrier: str | None) -> None:
    result = classify(number)
    if carrier is None:
        assert isinstance(result, ScanRejected)
        return
    assert isinstance(result, Scan)
    assert (result.kind, result.code, result.carrier) == (ScanKind.TRACKING, number, carrier)


def test_a_sku_is_a_product_without_gtin() -> None:
    scan = accepted("SOCK-0050")
    assert (scan.kind, scan.code, scan.gtin) == (ScanKind.PRODUCT, "SOCK-0050", None)


def test_badge_pattern_wins_over_the_sku_pattern() -> None:
    assert accepted("OP-9001").kind is ScanKind.BADGE


# --- what surrounds the data ----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["OP-1001\r\n", "OP-1001\n", "OP-1001\t", "  OP-1001  ", "OP-1001\r"]
)
def test_terminators_and_surrounding_whitespace_are_stripped(raw: str) -> None:
    scan = accepted(raw)
    assert (scan.code, scan.raw) == ("OP-1001", raw)


def test_typed_codes_in_lower_case_or_full_width_are_read() -> None:
    assert accepted("op-1001").code == "OP-1001"
    assert accepted("a03-12-2").kind is ScanKind.LOCATION
    assert accepted("1z 5r8 939 03 5756 712 7").code == "1Z5R89390357567127"
    assert accepted("ＯＰ－１００１").code == "OP-1001"
    assert accepted("４００６３８１３３３９３１").gtin == "04006381333931"


@pytest.mark.parametrize(
    ("raw", "symbology", "kind", "code"),
    [
        ("]C0MUG-0001", "]C0", ScanKind.PRODUCT, "MUG-0001"),
        ("]A0OP-1001", "]A0", ScanKind.BADGE, "OP-1001"),
        ("]Q1A03-12-2", "]Q1", ScanKind.LOCATION, "A03-12-2"),
        ("]d1T0001", "]d1", ScanKind.TOTE, "T0001"),
        ("]E04006381333931", "]E0", ScanKind.PRODUCT, "04006381333931"),
        ("]E496385074", "]E4", ScanKind.PRODUCT, "00000096385074"),
        ("]E0036000291452", "]E0", ScanKind.PRODUCT, "00036000291452"),
        ("]I110614141000415", "]I1", ScanKind.PRODUCT, "10614141000415"),
        ("]I0106141412345678908", "]I0", ScanKind.CARTON, SSCC),
        ("]C01Z5R89390357567127", "]C0", ScanKind.TRACKING, "1Z5R89390357567127"),
    ],
)
def test_symbology_identifiers_are_stripped_and_recorded(
    raw: str, symbology: str, kind: ScanKind, code: str
) -> None:
    scan = accepted(raw)
    assert (scan.symbology, scan.kind, scan.code, scan.raw) == (symbology, kind, code, raw)
    assert scan.fields[0][0] == "Symbology"
    assert scan.fields[0][1].startswith(symbology)


def test_an_ean_identifier_means_a_product_code() -> None:
    scan = accepted("]E04006381333931")
    assert (scan.gtin, scan.code) == ("04006381333931", "04006381333931")
    assert rejected("]E0OP-1001").reason.startswith("An EAN/UPC scan should be")
    assert rejected("]E04006381333932").reason == "GTIN 4006381333932 has a wrong check digit"


def test_ean_with_add_on_keeps_the_product_code() -> None:
    scan = accepted("]E3978030640615751299")  # ISBN-13 with a five-digit price add-on
    assert scan.gtin == "09780306406157"
    assert ("Add-on", "51299") in scan.fields


def test_upc_e_is_expanded_to_its_upc_a_gtin() -> None:
    scan = accepted("04252614")
    assert scan.gtin == gtin14("042100005264")


@pytest.mark.parametrize("raw", ["]X", "]C", "]*12345", "]C1", "]E0  "])
def test_a_broken_symbology_identifier_is_rejected(raw: str) -> None:
    result = rejected(raw)
    assert "symbology identifier" in result.reason


# --- GS1 element strings ----------------------------------------------------------------------


def test_gs1_128_with_group_separators() -> None:
    scan = accepted(f"]C101{GTIN}10ABC123{GS}17270331{GS}21SN-0042\r\n")
    assert (scan.kind, scan.code, scan.gtin, scan.symbology) == (
        ScanKind.PRODUCT,
        GTIN,
        GTIN,
        "]C1",
    )
    assert (scan.lot, scan.expiry, scan.serial) == ("ABC123", date(2027, 3, 31), "SN-0042")
    assert ("AI 01 GTIN", GTIN) in scan.fields
    assert scan.describe().startswith(f"Product GTIN {GTIN}, lot ABC123, expires 2027-03-31")


def test_the_gs_substitute_counts_as_a_separator() -> None:
    with_pipe = accepted(f"]C101{GTIN}10ABC123|17270331")
    assert (with_pipe.lot, with_pipe.expiry) == ("ABC123", date(2027, 3, 31))
    with_tilde = accepted(f"]C101{GTIN}10ABC123~17270331", gs_substitute="~")
    assert (with_tilde.lot, with_tilde.expiry) == ("ABC123", date(2027, 3, 31))
    # With no substitute, "|" is just a character, and not one a GS1 lot may hold.
    assert "'|17270331'" in rejected(f"]C101{GTIN}10ABC123|17270331", gs_substitute="").reason


def test_the_gs_substitute_does_not_touch_internal_codes() -> None:
    assert accepted("OP-1001", gs_substitute="-").code == "OP-1001"


def test_gs1_symbologies_force_a_gs1_reading() -> None:
    for prefix in ("]C1", "]d2", "]Q3", "]e0"):
        scan = accepted(f"{prefix}01{GTIN}")
        assert (scan.kind, scan.gtin, scan.symbology) == (ScanKind.PRODUCT, GTIN, prefix)
    # A badge inside a GS1 symbol is not a badge: the data must be a GS1 element string.
    reason = rejected("]C1OP-1001").reason
    assert reason.startswith("GS1 code could not be read")
    assert "OP-1001" in reason
    assert rejected("]C110ABC").reason == (
        "GS1 code '(10)ABC' has no product (GTIN) or carton (SSCC) number"
    )


def test_brackets_form_typed_by_a_person() -> None:
    scan = accepted(f"(01){GTIN}(17)270331(10)ABC")
    assert (scan.kind, scan.gtin, scan.lot, scan.expiry, scan.symbology) == (
        ScanKind.PRODUCT,
        GTIN,
        "ABC",
        date(2027, 3, 31),
        None,
    )
    assert accepted(f"(01) {GTIN} (10) ABC").lot == "ABC"


def test_gs1_without_identifier_is_recognised_by_its_gtin() -> None:
    scan = accepted(f"01{GTIN}10ABC123{GS}17270331")
    assert (scan.kind, scan.gtin, scan.lot, scan.expiry) == (
        ScanKind.PRODUCT,
        GTIN,
        "ABC123",
        date(2027, 3, 31),
    )
    assert accepted(f"01{GTIN}").gtin == GTIN
    assert accepted(f"01{GTIN}10ABC123|17270331").expiry == date(2027, 3, 31)


def test_a_plain_14_digit_gtin_is_a_gtin_not_gs1() -> None:
    scan = accepted(GTIN)
    assert (scan.kind, scan.gtin, scan.fields) == (ScanKind.PRODUCT, GTIN, (("GTIN-14", GTIN),))


def test_sscc_raw_and_in_gs1_form() -> None:
    raw = accepted(SSCC)
    gs1 = accepted(f"00{SSCC}")
    with_id = accepted(f"]C100{SSCC}")
    brackets = accepted(f"(00){SSCC}")
    for scan in (raw, gs1, with_id, brackets):
        assert (scan.kind, scan.code, scan.gtin) == (ScanKind.CARTON, SSCC, None)
    assert ("AI 00 SSCC", SSCC) in gs1.fields


def test_logistic_label_with_contents_and_count() -> None:
    scan = accepted(f"]C100{SSCC}02{GTIN}37{12}")
    assert (scan.kind, scan.code, scan.gtin, scan.quantity) == (ScanKind.CARTON, SSCC, GTIN, 12)
    assert scan.describe() == f"Carton SSCC {SSCC}, contents GTIN {GTIN}, quantity 12"


def test_variable_count_serial_and_best_before() -> None:
    scan = accepted(f"]d201{GTIN}15261200{GS}21X7{GS}305")
    assert (scan.best_before, scan.serial, scan.quantity, scan.expiry) == (
        date(2026, 12, 31),
        "X7",
        5,
        None,
    )


@pytest.mark.parametrize(
    ("yymmdd", "expected"),
    [("270331", date(2027, 3, 31)), ("270300", date(2027, 3, 31)), ("280200", date(2028, 2, 29))],
)
def test_expiry_day_00_means_end_of_month(yymmdd: str, expected: date) -> None:
    assert accepted(f"]C101{GTIN}17{yymmdd}").expiry == expected


def test_an_impossible_expiry_date_is_rejected() -> None:
    reason = rejected(f"]C101{GTIN}17270231").reason
    assert reason == "GS1 code could not be read: field (17) '270231' is not a real date"


def test_gs1_digital_link() -> None:
    scan = accepted(f"]Q1https://id.gs1.org/01/{GTIN}/10/ABC?17=270300")
    assert (scan.kind, scan.gtin, scan.lot, scan.expiry) == (
        ScanKind.PRODUCT,
        GTIN,
        "ABC",
        date(2027, 3, 31),
    )
    assert "GS1 Digital Link" in rejected("https://example.com/hello").reason


def test_usps_label_with_ship_to_postcode() -> None:
    for raw in (f"]C142090210{GS}9400111201080805483016", "42090210|9400111201080805483016"):
        scan = accepted(raw)
        assert (scan.kind, scan.code, scan.carrier) == (
            ScanKind.TRACKING,
            "9400111201080805483016",
            "USPS",
        )


# --- wrong check digits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("4006381333932", "GTIN 4006381333932 has a wrong check digit"),
        ("96385075", "GTIN 96385075 has a wrong check digit"),
        ("036000291453", "GTIN 036000291453 has a wrong check digit"),
        ("10614141000416", "GTIN 10614141000416 has a wrong check digit"),
        ("106141412345678909", "SSCC 106141412345678909 has a wrong check digit"),
        ("00106141412345678909", "SSCC 106141412345678909 has a wrong check digit"),
        ("0104006381333932", "GTIN 04006381333932 has a wrong check digit"),
        ("]C10104006381333932", "GTIN 04006381333932 has a wrong check digit"),
        ("(01)04006381333932(10)A", "GTIN 04006381333932 has a wrong check digit"),
        ("]E04006381333932", "GTIN 4006381333932 has a wrong check digit"),
    ],
)
def test_wrong_check_digits_are_rejected_with_the_reason(raw: str, reason: str) -> None:
    assert rejected(raw).reason == reason


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "Scan is empty"),
        ("   \t\r\n", "Scan is empty"),
        ("x" * 10240, f"Scan is too long (10240 characters; at most {MAX_SCAN_LENGTH})"),
        ("hello world", "Not a code Baton knows: 'hello world'"),
        ("ÄÖÜ ☃", "Not a code Baton knows: 'ÄÖÜ ☃'"),
        ("OP-1001-1", "Not a code Baton knows: 'OP-1001-1'"),
        ("12345", "Not a code Baton knows: '12345'"),
        ("(10", "Not a code Baton knows: '(10'"),
    ],
)
def test_unknown_and_malformed_input_is_rejected(raw: str, reason: str) -> None:
    result = rejected(raw)
    assert (result.reason, result.raw, result.describe()) == (reason, raw, reason)


@pytest.mark.parametrize("raw", ["OP-\x071001", "A03\x00-12-2", "T0001\x1b[2J", "OP\u200b-1001"])
def test_control_characters_are_rejected(raw: str) -> None:
    assert rejected(raw).reason.startswith("Scan contains control characters")


def test_a_long_scan_is_cut_short_in_the_reason() -> None:
    reason = rejected("z" * 300).reason
    assert len(reason) < 80
    assert reason.endswith("…'")


def test_exactly_the_maximum_length_is_read() -> None:
    assert "too long" not in rejected("9" * MAX_SCAN_LENGTH).reason
    assert "too long" in rejected("9" * (MAX_SCAN_LENGTH + 1)).reason


def test_both_results_turn_into_json() -> None:
    scan = accepted(f"]C101{GTIN}10ABC123{GS}17270331")
    data = json.loads(json.dumps(scan.as_dict()))
    assert data["accepted"] is True
    assert (data["kind"], data["code"], data["expiry"], data["symbology"]) == (
        "product",
        GTIN,
        "2027-03-31",
        "]C1",
    )
    assert ["AI 10 BATCH/LOT", "ABC123"] in data["fields"]
    assert data["description"] == scan.describe()
    assert json.loads(json.dumps(accepted("A03-12-2").as_dict()))["parts"]["aisle"] == "3"
    refusal = json.loads(json.dumps(rejected("bad\x00scan").as_dict()))
    assert refusal["accepted"] is False
    assert refusal["raw"] == "bad\x00scan"
    assert refusal["reason"].startswith("Scan contains control characters")


def test_scan_kind_values_are_stable_words() -> None:
    assert [k.value for k in ScanKind] == [
        "badge",
        "location",
        "tote",
        "slot",
        "box",
        "carton",
        "order",
        "tracking",
        "product",
        "door",
    ]
    assert ScanKind.SLOT.label == "Put-wall slot"


# --- a warehouse's own patterns -----------------------------------------------------------


def test_overridden_patterns() -> None:
    patterns = ScanPatterns.from_overrides(
        {
            "badge": r"EMP\d{3}",
            "order": r"SO-\d{6}",
            "location": r"(?P<zone>[A-Z])-(?P<aisle>\d{3})",
            "tracking:DHL Express": "",
            "tracking:Acme Freight": r"ACM\d{8}",
        }
    )
    assert accepted("EMP042", patterns=patterns).kind is ScanKind.BADGE
    # No longer a badge, OP-1001 now has the shape of a SKU.
    assert accepted("OP-1001", patterns=patterns).kind is ScanKind.PRODUCT
    assert accepted("SO-000123", patterns=patterns).kind is ScanKind.ORDER
    assert rejected("#1001", patterns=patterns).reason.startswith("Not a code")
    location = accepted("B-007", patterns=patterns)
    assert (location.kind, location.parts) == (ScanKind.LOCATION, (("zone", "B"), ("aisle", "7")))
    assert accepted("ACM12345678", patterns=patterns).carrier == "Acme Freight"
    assert rejected("3318810025", patterns=patterns).reason.startswith("Not a code")
    assert accepted("1Z5R89390357567127", patterns=patterns).carrier == "UPS"
    # Untouched patterns keep their defaults.
    assert accepted("T0001", patterns=patterns).kind is ScanKind.TOTE


def test_an_own_pattern_wins_over_a_number_that_looks_like_a_gtin() -> None:
    patterns = ScanPatterns.from_overrides({"tote": r"\d{8}"})
    assert accepted("96385074", patterns=patterns).kind is ScanKind.TOTE
    # The scanner's EAN identifier still says product.
    assert accepted("]E496385074", patterns=patterns).kind is ScanKind.PRODUCT


def test_an_empty_pattern_turns_a_kind_off() -> None:
    patterns = ScanPatterns.from_overrides({"tote": ""})
    assert isinstance(classify("T0001", patterns), ScanRejected)


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"badge": "OP-(\\d{4}"}, "'badge'"),
        ({"sku": "[A-Z"}, "'sku'"),
        ({"tracking:UPS": "1Z(?P<x"}, "'tracking:UPS'"),
        ({"colour": "red"}, "'colour'"),
        ({"tracking:": "\\d+"}, "'tracking:'"),
        ({"tote": 5}, "'tote'"),
    ],
)
def test_bad_overrides_raise_value_error_naming_the_key(
    overrides: dict[str, object], key: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(key)):
        ScanPatterns.from_overrides(overrides)  # type: ignore[arg-type]


def test_a_bad_pattern_is_refused_when_built_directly() -> None:
    with pytest.raises(ValueError, match="'slot'"):
        ScanPatterns(slot="W(")
    with pytest.raises(ValueError, match="listed twice"):
        ScanPatterns(tracking=(("UPS", "1Z.*"), ("UPS", "X")))
    from_a_settings_file = ScanPatterns(tracking=[["UPS", "1Z.*"]])  # type: ignore[arg-type]
    assert accepted("1ZANYTHING", patterns=from_a_settings_file).carrier == "UPS"


def test_patterns_round_trip_through_their_settings() -> None:
    settings_ = DEFAULT_PATTERNS.as_dict()
    assert settings_["tracking:UPS"] == r"1Z[0-9A-Z]{16}"
    assert ScanPatterns.from_overrides(settings_) == DEFAULT_PATTERNS
    assert ScanPatterns.from_overrides({}) == DEFAULT_PATTERNS


def test_patterns_match_digits_of_barcodes_only() -> None:
    # \d means 0-9 here: Arabic-Indic digits are not a badge number.
    assert isinstance(classify("OP-١٠٠١"), ScanRejected)


def test_the_docs_show_the_default_patterns() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for pattern in DEFAULT_PATTERNS.as_dict().values():
        assert f"`{pattern}`" in text, pattern


# --- properties ---------------------------------------------------------------------------


def _never_fails(raw: str, patterns: ScanPatterns = DEFAULT_PATTERNS) -> None:
    result = classify(raw, patterns)
    assert isinstance(result, Scan | ScanRejected)
    if isinstance(result, Scan):
        assert result.code
        assert result.describe()
    else:
        assert result.reason
        # The catch-all reason means a reading step crashed: a bug even though nothing raised.
        assert not result.reason.startswith("Baton could not read this scan"), result.reason
    json.dumps(result.as_dict())


@given(st.text())
def test_any_text_gets_an_answer(raw: str) -> None:
    _never_fails(raw)


@given(st.binary(max_size=2000).map(lambda b: b.decode("latin-1")))
def test_any_bytes_get_an_answer(raw: str) -> None:
    _never_fails(raw)


@settings(max_examples=30)
@given(st.text(min_size=400, max_size=20_000))
def test_long_noise_gets_an_answer(raw: str) -> None:
    _never_fails(raw)


_GS1_ISH = st.text(alphabet="0123456789()|\x1dABCZ-/.#", max_size=60)


@given(
    st.sampled_from(["", "]C1", "]d2", "]Q3", "]e0", "]E0", "]E3", "]E4", "]C0", "]I1", "(01)"]),
    _GS1_ISH,
)
def test_gs1_like_noise_gets_an_answer(prefix: str, body: str) -> None:
    _never_fails(prefix + body)


_CATCH_ALL = ScanPatterns.from_overrides(
    {"tote": r"(?P<anything>.*)", "tracking:Any": r"(?P<digits>\d+)(?P<rest>.*)"}
)


@given(st.text(max_size=600))
def test_any_text_gets_an_answer_with_catch_all_patterns(raw: str) -> None:
    _never_fails(raw, _CATCH_ALL)


@given(
    st.sampled_from([7, 11, 12, 13]).flatmap(
        lambda n: st.text("0123456789", min_size=n, max_size=n)
    )
)
def test_any_valid_gtin_is_a_product(body: str) -> None:
    code = with_check_digit(body)
    scan = accepted(code)
    assert (scan.kind, scan.code, scan.gtin) == (ScanKind.PRODUCT, gtin14(code), gtin14(code))
    assert accepted(f"]C101{gtin14(code)}").gtin == gtin14(code)


@given(
    st.text("0123456789", min_size=13, max_size=13),
    st.text(st.sampled_from("ABCDEFXYZ0123456789-"), min_size=1, max_size=20),
)
def test_gs1_product_with_lot_round_trips(body: str, lot: str) -> None:
    gtin = with_check_digit(body)
    for raw in (f"]C101{gtin}10{lot}{GS}17270331", f"(01){gtin}(17)270331(10){lot}"):
        scan = accepted(raw)
        assert (scan.gtin, scan.lot, scan.expiry) == (gtin, lot, date(2027, 3, 31))
