"""Pure rules: check digits, addresses, payment states, allocation, the order's journey."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.address import address_problems
from app.domain.allocation import StockOption, Take, plan_allocation
from app.domain.gtin import gs1_check_digit, gtin14, is_gtin, with_check_digit
from app.domain.order_drafts import AddressDraft
from app.domain.payment import payment_problem
from app.domain.states import OrderStatus, can_move


@pytest.mark.parametrize(
    "code",
    [
        "4006381333931",
        "5901234123457",
        "96385074",
        "036000291452",
        "10614141000415",
        "106141412345678908",
    ],  # GS1's published examples (EAN-13, EAN-8, UPC-A, GTIN-14, SSCC)
)
def test_published_codes_have_valid_check_digits(code: str) -> None:
    assert gs1_check_digit(code[:-1]) == int(code[-1])


def test_gtin_validation() -> None:
    assert is_gtin("4006381333931")
    assert not is_gtin("4006381333932")  # wrong check digit
    assert not is_gtin("400638133393")  # 12 digits but its check digit is wrong for UPC-A
    assert not is_gtin("40063813339３")  # a full-width digit is not a digit on a barcode
    assert gtin14("96385074") == "00000096385074"


@given(st.text(alphabet="0123456789", min_size=7, max_size=17))
def test_a_code_with_its_check_digit_always_validates(body: str) -> None:
    code = with_check_digit(body)
    assert gs1_check_digit(code[:-1]) == int(code[-1])
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert gs1_check_digit(wrong[:-1]) != int(wrong[-1])


GOOD = {
    "US": "02134",
    "CA": "K1A 0B1",
    "GB": "SW1A 1AA",
    "DE": "10115",
    "FR": "75008",
    "CH": "8001",
    "JP": "100-0001",
    "NL": "1012 AB",
    "AU": "2000",
}
BAD = {
    "US": "2134",
    "CA": "12345",
    "GB": "12345",
    "DE": "8033",
    "FR": "7500",
    "CH": "80011",
    "JP": "1000",
    "NL": "0123 AB",
    "AU": "200",
}


def _address(country: str, postal: str) -> AddressDraft:
    return AddressDraft(
        name="Zoë Ångström",
        address1="Main Street 1",
        city="Zürich",
        postal_code=postal,
        country=country,
    )


@pytest.mark.parametrize("country", sorted(GOOD))
def test_postal_codes_plausible_per_country(country: str) -> None:
    assert address_problems(_address(country, GOOD[country])) == []
    problems = address_problems(_address(country, BAD[country]))
    assert len(problems) == 1 and f"{country} postal code" in problems[0]


def test_address_lists_every_missing_field() -> None:
    problems = address_problems(AddressDraft(country="DE"))
    assert problems == [
        "ship-to name is missing",
        "ship-to street address is missing",
        "ship-to city is missing",
        "ship-to postal code is missing (DE addresses need one)",
    ]
    assert "not an ISO country code" in address_problems(_address("Germany", "10115"))[0]


@pytest.mark.parametrize("status", ["paid", "authorized", "Paid", "AUTHORIZED"])
def test_paid_and_authorized_pass(status: str) -> None:
    assert payment_problem(status) is None


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("pending", "pending"),
        ("partially_paid", "partly paid"),
        ("Partially Paid", "partly paid"),
        ("refunded", "refunded"),
        ("voided", "voided"),
        ("", "missing"),
        ("barter", "'barter'"),
    ],
)
def test_other_payment_states_hold_with_a_reason(status: str, words: str) -> None:
    problem = payment_problem(status)
    assert problem is not None and words in problem


def test_allocation_prefers_one_stop_then_fullest_bins() -> None:
    options = [
        StockOption(1, "A01-01-1", 3),
        StockOption(2, "A01-02-1", 8),
        StockOption(3, "A02-01-1", 5),
    ]
    assert plan_allocation(4, options) == [Take(3, 4)]  # smallest bin that holds all four
    assert plan_allocation(12, options) == [Take(2, 8), Take(3, 4)]
    assert plan_allocation(17, options) is None


def test_allocation_takes_earliest_expiry_first() -> None:
    options = [
        StockOption(1, "A01-01-1", 10, "L2", date(2027, 6, 1)),
        StockOption(2, "A01-02-1", 2, "L1", date(2027, 1, 1)),
        StockOption(3, "A01-03-1", 10, "", None),
    ]
    assert plan_allocation(5, options) == [Take(2, 2), Take(1, 3)]


@given(
    st.integers(min_value=1, max_value=60),
    st.lists(st.integers(min_value=0, max_value=20), max_size=8),
)
def test_allocation_never_takes_more_than_there_is(quantity: int, amounts: list[int]) -> None:
    options = [StockOption(i, f"A01-{i:02d}-1", a) for i, a in enumerate(amounts)]
    takes = plan_allocation(quantity, options)
    if sum(amounts) < quantity:
        assert takes is None
        return
    assert takes is not None
    assert sum(t.quantity for t in takes) == quantity
    for take in takes:
        assert 0 < take.quantity <= amounts[take.stock_id]
    assert len({t.stock_id for t in takes}) == len(takes)


def test_journey_rules() -> None:
    assert can_move(OrderStatus.RECEIVED, OrderStatus.READY)
    assert can_move(OrderStatus.ON_HOLD, OrderStatus.READY)
    assert not can_move(OrderStatus.RECEIVED, OrderStatus.PACKED)
    assert can_move(OrderStatus.PICKED, OrderStatus.CANCELLED)
    assert not can_move(OrderStatus.SHIPPED, OrderStatus.CANCELLED)
