"""The carrier book: the shipped file, the rules that choose a service, tracking numbers."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.carriers import CarrierBook, CarrierService
from app.domain.scanning.classify import Scan, ScanKind, classify
from app.printing.tracking import SCHEMES
from app.services.errors import InvalidInput, NotFound
from app.services.packing.carriers import (
    CARRIERS_FILE,
    assign_carrier,
    carrier_book,
    tracking_number,
)

# The carrier name a scanner gives each shipped carrier's numbers (scan_patterns.DEFAULT_TRACKING).
SCANNED_AS = {
    "UPS": "UPS",
    "DHL Express": "DHL Express",
    "Royal Mail": "Royal Mail",
    "Swiss Post": "Swiss Post",
    "Deutsche Post": "Postal service",
}


@pytest.fixture(scope="module")
def book() -> CarrierBook:
    return carrier_book()


def chosen(book: CarrierBook, carrier: str, service: str, country: str, grams: int) -> str:
    choice = book.choose(carrier, service, country, grams)
    return f"{choice.carrier} {choice.service}"


# --- the shipped file --------------------------------------------------------------------


def test_the_shipped_book_loads_with_every_carrier(book: CarrierBook) -> None:
    assert [c.name for c in book.carriers] == list(SCANNED_AS)
    assert book.rules[-1].takes_everything
    assert carrier_book() is book  # unchanged file: read once
    assert carrier_book(CARRIERS_FILE) is book


@pytest.mark.parametrize(
    ("carrier", "service", "country", "grams", "expected"),
    [
        ("UPS", "Ground", "US", 2_000, "UPS STANDARD"),
        ("UPS", "Standard", "FR", 2_000, "UPS STANDARD"),
        ("UPS", "Express Saver", "FR", 3_000, "UPS EXPRESS SAVER"),
        ("ups", "EXPRESS  SAVER", "DE", 3_000, "UPS EXPRESS SAVER"),
        ("United Parcel Service", "Ground", "NL", 3_000, "UPS STANDARD"),
        ("DHL", "Express", "FR", 3_000, "DHL Express EXPRESS WORLDWIDE"),
        ("DHL Express", "Express", "DE", 3_000, "DHL Express EXPRESS DOMESTIC"),
        ("DHL", "Parcel", "NL", 3_000, "DHL Express ECONOMY SELECT"),
        ("DHL", "Parcel", "DE", 3_000, "Deutsche Post PAKET"),
        ("Royal Mail", "Tracked 48", "GB", 1_500, "Royal Mail TRACKED 48"),
        ("Royal Mail", "Tracked 48", "gb", 20_000, "Royal Mail TRACKED 48"),
        ("Swiss Post", "PostPac Priority", "CH", 5_000, "Swiss Post POSTPAC PRIORITY"),
        ("Deutsche Post", "Warenpost", "FR", 400, "Deutsche Post WARENPOST"),
    ],
)
def test_a_known_carrier_and_service_is_honoured(
    book: CarrierBook, carrier: str, service: str, country: str, grams: int, expected: str
) -> None:
    assert chosen(book, carrier, service, country, grams) == expected


@pytest.mark.parametrize(
    ("carrier", "service", "country", "grams", "expected"),
    [
        # Tracked 48 takes 20 kg at most.
        ("Royal Mail", "Tracked 48", "GB", 20_001, "UPS STANDARD"),
        # Swiss Post PostPac: 30 kg.
        ("Swiss Post", "PostPac Priority", "CH", 31_000, "UPS STANDARD"),
        # Deutsche Post Paket: 31.5 kg; DHL Express at home takes the rest.
        ("DHL", "Parcel", "DE", 35_000, "DHL Express EXPRESS DOMESTIC"),
        ("Deutsche Post", "Warenpost", "DE", 1_500, "Deutsche Post PAKET"),
        # UPS: 70 kg.
        ("UPS", "Express Saver", "FR", 80_000, "DHL Express EXPRESS WORLDWIDE"),
    ],
)
def test_a_heavy_carton_falls_to_a_service_that_carries_it(
    book: CarrierBook, carrier: str, service: str, country: str, grams: int, expected: str
) -> None:
    assert chosen(book, carrier, service, country, grams) == expected


@pytest.mark.parametrize(
    ("carrier", "country", "grams", "expected"),
    [
        ("", "DE", 500, "Deutsche Post WARENPOST"),
        ("", "FR", 1_000, "Deutsche Post WARENPOST"),
        ("", "DE", 5_000, "Deutsche Post PAKET"),
        ("", "FR", 5_000, "UPS STANDARD"),
        ("", "US", 5_000, "UPS STANDARD"),
        ("", "DE", 40_000, "UPS STANDARD"),
        ("", "CH", 250_000, "DHL Express EXPRESS WORLDWIDE"),
        ("Hermes", "DE", 5_000, "Deutsche Post PAKET"),
        # Royal Mail Tracked is a UK service: abroad the order gets the default.
        ("Royal Mail", "FR", 5_000, "UPS STANDARD"),
    ],
)
def test_an_order_without_a_usable_carrier_gets_the_default_for_its_destination(
    book: CarrierBook, carrier: str, country: str, grams: int, expected: str
) -> None:
    assert chosen(book, carrier, "", country, grams) == expected


@given(
    carrier=st.text(max_size=30),
    service=st.text(max_size=30),
    country=st.text(max_size=3),
    grams=st.integers(min_value=0, max_value=10**7),
)
def test_every_carton_gets_a_carrier(carrier: str, service: str, country: str, grams: int) -> None:
    choice = carrier_book().choose(carrier, service, country, grams)
    assert choice.carries(grams)


def test_a_negative_weight_is_refused(book: CarrierBook) -> None:
    with pytest.raises(ValueError, match="weight"):
        book.choose("UPS", "", "DE", -1)
    with pytest.raises(InvalidInput, match="weight"):
        assign_carrier(book, "UPS", "", "DE", -1, serial=1)


# --- rules, on a small book ----------------------------------------------------------------


def small_book() -> dict[str, Any]:
    return {
        "carrier": [
            {
                "name": "UPS",
                "aliases": ["United Parcel Service"],
                "scheme": "ups",
                "number": "1Z5R8939{service_code}{serial:07d}",
                "services": [
                    {"name": "STANDARD", "code": "11", "max_weight_g": 70_000},
                    {"name": "EXPRESS SAVER", "code": "65", "max_weight_g": 70_000},
                ],
            },
            {
                "name": "Royal Mail",
                "scheme": "s10",
                "number": "{service_code}{serial:08d}GB",
                "services": [{"name": "TRACKED 48", "code": "TT", "max_weight_g": 20_000}],
            },
        ],
        "rule": [
            {"service": "saver", "use_carrier": "UPS", "use_service": "EXPRESS SAVER"},
            {"countries": ["GB"], "use_carrier": "Royal Mail", "use_service": "TRACKED 48"},
            {"use_carrier": "UPS", "use_service": "STANDARD"},
        ],
    }


def parse(data: dict[str, Any]) -> CarrierBook:
    return CarrierBook.from_dict(data, SCHEMES.keys())


def test_the_first_rule_that_applies_decides() -> None:
    data = small_book()
    book = parse(data)
    assert book.rule_for("", "Express Saver", "GB", 1_000).position == 1
    assert book.choose("", "Express Saver", "GB", 1_000).service == "EXPRESS SAVER"
    data["rule"][0], data["rule"][1] = data["rule"][1], data["rule"][0]
    swapped = parse(data)
    assert swapped.rule_for("", "Express Saver", "GB", 1_000).position == 1
    assert swapped.choose("", "Express Saver", "GB", 1_000).carrier == "Royal Mail"
    # Both orders agree where only one rule applies.
    assert swapped.choose("", "Express Saver", "FR", 1_000).service == "EXPRESS SAVER"


def test_a_rule_matches_the_whole_carrier_name_or_an_alias() -> None:
    data = small_book()
    data["rule"].insert(
        0, {"carrier": "UPS", "use_carrier": "Royal Mail", "use_service": "TRACKED 48"}
    )
    book = parse(data)
    assert book.choose("UPS", "", "FR", 1_000).carrier == "Royal Mail"
    assert book.choose("  united   parcel SERVICE ", "", "FR", 1_000).carrier == "Royal Mail"
    assert book.choose("UPS Freight", "", "FR", 1_000).carrier == "UPS"  # not the whole name


def test_an_empty_carrier_pattern_means_the_order_names_none() -> None:
    data = small_book()
    data["rule"].insert(
        0, {"carrier": "", "use_carrier": "Royal Mail", "use_service": "TRACKED 48"}
    )
    book = parse(data)
    assert book.choose("", "", "FR", 1_000).carrier == "Royal Mail"
    assert book.choose("UPS", "", "FR", 1_000).carrier == "UPS"


def test_rule_weights_are_inclusive() -> None:
    data = small_book()
    data["rule"].insert(
        0,
        {
            "min_weight_g": 100,
            "max_weight_g": 200,
            "use_carrier": "Royal Mail",
            "use_service": "TRACKED 48",
        },
    )
    book = parse(data)
    assert [book.choose("", "", "FR", g).carrier for g in (99, 100, 200, 201)] == [
        "UPS",
        "Royal Mail",
        "Royal Mail",
        "UPS",
    ]


def test_no_applicable_rule_is_a_lookup_error_saying_what_was_asked() -> None:
    data = small_book()
    del data["rule"][-1]
    with pytest.raises(LookupError, match=r"5000 g carton for FR .*'DHL'"):
        parse(data).choose("DHL", "Express", "fr", 5_000)
    with pytest.raises(InvalidInput, match="no carrier rule applies"):
        assign_carrier(parse(data), "DHL", "Express", "FR", 5_000, serial=1)


# --- malformed books ---------------------------------------------------------------------


USE_UPS = {"use_carrier": "UPS", "use_service": "STANDARD"}


def _set(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(small_book())
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _drop(path: tuple[Any, ...]) -> dict[str, Any]:
    data = copy.deepcopy(small_book())
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _set(("rule", 0, "service"), "saver("),
            r"rule 1, field 'service': 'saver\(' is not a valid regular expression",
        ),
        (
            _set(("rule", 1, "carrier"), "[UPS"),
            r"rule 2, field 'carrier': .* not a valid regular expression",
        ),
        (
            _set(("rule", 2, "use_carrier"), "DHL"),
            r"rule 3, field 'use_carrier': no carrier 'DHL' \(known: UPS, Royal Mail\)",
        ),
        (
            _set(("rule", 2, "use_service"), "GROUND"),
            r"rule 3, field 'use_service': UPS has no service 'GROUND' "
            r"\(its services: STANDARD, EXPRESS SAVER\)",
        ),
        (
            _set(("carrier", 1, "scheme"), "royal-mail"),
            r"carrier 2 \('Royal Mail'\), field 'scheme': unknown scheme 'royal-mail' "
            r"\(known: dhl-express, fedex, s10, ups, usps\)",
        ),
        (
            _set(("carrier", 0, "number"), "1Z5R8939{service_code}0000000"),
            r"carrier 1 \('UPS'\), field 'number': .* must hold the carton serial exactly once",
        ),
        (
            _set(("carrier", 0, "number"), "1Z5R8939{service_code}{serial}"),
            r"carrier 1 \('UPS'\), field 'number': .* zero-padded to a fixed width",
        ),
        (
            _set(("carrier", 0, "number"), "1Z5R8939{service}{serial:07d}"),
            r"carrier 1 \('UPS'\), field 'number': .* uses \{service\}",
        ),
        (
            _set(("carrier", 0, "number"), "1Z{serial:07d"),
            r"carrier 1 \('UPS'\), field 'number': .* not a valid template",
        ),
        (_drop(("carrier", 1, "name")), r"carrier 2: missing field 'name'"),
        (_drop(("carrier", 0, "scheme")), r"carrier 1 \('UPS'\): missing field 'scheme'"),
        (_drop(("carrier", 0, "services")), r"carrier 1 \('UPS'\): missing field 'services'"),
        (
            _drop(("carrier", 0, "services", 1, "code")),
            r"carrier 1 \('UPS'\), service 2 \('EXPRESS SAVER'\): missing field 'code'",
        ),
        (_drop(("rule", 1, "use_service")), r"rule 2: missing field 'use_service'"),
        (_drop(("rule",)), r"the carrier book: missing field 'rule'"),
        (_set(("rule",), []), r"the carrier book, field 'rule': must be a non-empty list"),
        (_set(("rule", 0, "max_weigth_g"), 5), r"rule 1: unknown field 'max_weigth_g'"),
        (
            _set(("rule", 0, "max_weight_g"), "5 kg"),
            r"rule 1, field 'max_weight_g': must be a whole number",
        ),
        (
            _set(("rule", 0, "countries"), ["Germany"]),
            r"rule 1, field 'countries': 'Germany' is not a two-letter",
        ),
        (
            _set(("rule", 0), {"min_weight_g": 500, "max_weight_g": 100, **USE_UPS}),
            r"rule 1: min_weight_g 500 is above max_weight_g",
        ),
        (
            _set(("carrier", 0, "services", 0, "max_weight_g"), 0),
            r"service 1 \('STANDARD'\), field 'max_weight_g'",
        ),
        (
            _set(("carrier", 1, "aliases"), ["united parcel  service"]),
            r"carrier 2 \('Royal Mail'\): the name 'united parcel  service' is already used "
            r"by carrier 'UPS'",
        ),
        (
            _set(("carrier", 1, "services", 0, "code"), "tt"),
            r"service 1 \('TRACKED 48'\), fields 'number' and 'code': .* capital letters",
        ),
        (
            _set(("carrier", 0, "tracking_url"), "www.ups.com/track?n={tracking_number}"),
            r"carrier 1 \('UPS'\), field 'tracking_url': a web address starting https://",
        ),
        (
            _set(("carrier", 0, "tracking_url"), "https://ups.example/track"),
            r"field 'tracking_url': the address must hold \{tracking_number\} once",
        ),
        (
            _set(("carrier", 0, "tracking_url"), "https://ups.example/{tracking_number}/{sku}"),
            r"field 'tracking_url': the address must hold \{tracking_number\} once",
        ),
    ],
)
def test_a_malformed_book_names_the_entry_and_field(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(data)


def test_every_shipped_carrier_links_to_its_tracking_page(book: CarrierBook) -> None:
    for carrier in book.carriers:
        link = carrier.tracking_link("1Z 5R8/9")
        assert link.startswith("https://") and link.endswith("1Z%205R8%2F9"), carrier.name
    assert parse(small_book()).carriers[0].tracking_link("1Z1") == ""  # none given


def test_a_rule_after_the_catch_all_is_refused() -> None:
    data = small_book()
    assert parse(data).rules[-1].takes_everything is False  # UPS STANDARD stops at 70 kg
    del data["carrier"][0]["services"][0]["max_weight_g"]
    data["rule"].append(
        {"countries": ["GB"], "use_carrier": "Royal Mail", "use_service": "TRACKED 48"}
    )
    with pytest.raises(ValueError, match=r"rule 4 can never apply: rule 3 \(UPS STANDARD\)"):
        parse(data)


def test_a_rule_heavier_than_its_service_is_refused() -> None:
    data = small_book()
    data["rule"][1]["min_weight_g"] = 25_000
    with pytest.raises(ValueError, match=r"rule 2, field 'min_weight_g': Royal Mail TRACKED 48"):
        parse(data)


# --- the file, read by the service layer -----------------------------------------------------


def test_a_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "carriers.toml"
    path.write_text('[[carrier]]\nname = "UPS\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"carriers.toml is not valid TOML: .*line 2"):
        carrier_book(path)


def test_a_malformed_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "carriers.toml"
    text = CARRIERS_FILE.read_text(encoding="utf-8")
    path.write_text(
        text.replace('use_service = "TRACKED 48"', 'use_service = "TRACKED 24"'), encoding="utf-8"
    )
    with pytest.raises(
        InvalidInput, match=r"carriers.toml: rule \d+, field 'use_service': .*'TRACKED 24'"
    ):
        carrier_book(path)


def test_a_template_of_the_wrong_length_is_refused_on_loading(tmp_path: Path) -> None:
    path = tmp_path / "carriers.toml"
    text = CARRIERS_FILE.read_text(encoding="utf-8")
    path.write_text(text.replace("{serial:07d}", "{serial:06d}"), encoding="utf-8")
    with pytest.raises(
        InvalidInput, match=r"carriers.toml: carrier 'UPS' service 'STANDARD': .*UPS"
    ):
        carrier_book(path)


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="does not exist"):
        carrier_book(tmp_path / "carriers.toml")


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "carriers.toml"
    text = CARRIERS_FILE.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = carrier_book(path)
    assert carrier_book(path) is first
    path.write_text(
        text.replace("first_serial = 3_400_000", "first_serial = 5_000_000"), encoding="utf-8"
    )
    os.utime(path, ns=(1, 1))
    second = carrier_book(path)
    assert second is not first
    assert tracking_number(second.choose("UPS", "Ground", "DE", 1_000), 1).startswith("1Z5R8939115")


# --- tracking numbers --------------------------------------------------------------------


def _services() -> list[CarrierService]:
    return list(carrier_book().services())


@pytest.mark.parametrize("service", _services(), ids=lambda s: f"{s.carrier} {s.service}")
@pytest.mark.parametrize("serial", [0, 1, 42, 10**9 + 7])
def test_every_number_is_valid_and_scans_as_its_carriers(
    service: CarrierService, serial: int
) -> None:
    number = tracking_number(service, serial)
    assert SCHEMES[service.scheme].is_valid(number)
    assert len(number) == len(tracking_number(service, 0))
    scan = classify(number)
    assert isinstance(scan, Scan), scan.describe()
    assert scan.kind is ScanKind.TRACKING
    assert scan.carrier == SCANNED_AS[service.carrier]


@pytest.mark.parametrize("service", _services(), ids=lambda s: f"{s.carrier} {s.service}")
def test_distinct_serials_give_distinct_numbers(service: CarrierService) -> None:
    serials = [*range(1_000), 10**6 + 1, 10**7 - 1]
    numbers = {tracking_number(service, s) for s in serials}
    assert len(numbers) == len(serials)


def test_a_serial_wider_than_the_template_wraps_round(book: CarrierBook) -> None:
    ups = book.choose("UPS", "Ground", "DE", 1_000)
    assert ups.serial_digits == 7
    assert tracking_number(ups, 10**7 + 5) == tracking_number(ups, 5)
    assert tracking_number(ups, 1) == "1Z5R89391134000015"


def test_numbers_start_at_the_carriers_first_serial(book: CarrierBook) -> None:
    royal_mail = book.choose("Royal Mail", "Tracked 48", "GB", 1_000)
    assert royal_mail.first_serial == 10_000_000
    assert tracking_number(royal_mail, 1) == "TT100000017GB"


def test_assign_carrier_gives_the_service_and_its_number(book: CarrierBook) -> None:
    choice, number = assign_carrier(book, "DHL", "Express", "FR", 2_000, serial=42)
    assert (choice.carrier, choice.service) == ("DHL Express", "EXPRESS WORLDWIDE")
    assert number == tracking_number(choice, 42)
    assert SCHEMES["dhl-express"].is_valid(number)


def test_a_bad_serial_or_scheme_is_refused() -> None:
    service = CarrierService("UPS", "STANDARD", "ups", "11", "1Z5R8939{service_code}{serial:07d}")
    with pytest.raises(InvalidInput, match="at least 0"):
        tracking_number(service, -1)
    unknown = CarrierService("X", "Y", "x-post", "", "{serial:09d}")
    with pytest.raises(InvalidInput, match="unknown tracking scheme 'x-post'"):
        tracking_number(unknown, 1)
