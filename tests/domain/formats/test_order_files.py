"""Order files: the Shopify export, the generic CSV and the JSON format, good and bad."""

from __future__ import annotations

import csv
import json
import tracemalloc
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.formats.order_files import FORMATS, read_orders
from app.domain.formats.tabular import FileUnusable
from app.domain.order_drafts import AddressDraft, LineDraft, OrderDraft, RejectedOrder

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "orders"
SHOPIFY_EXPORT = FIXTURES / "shopify_orders_export.csv"
GENERIC_CSV = FIXTURES / "orders.csv"
GENERIC_JSON = FIXTURES / "orders.json"

# The columns of Shopify's "Export orders" CSV, in the order Shopify writes them.
SHOPIFY_HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
    "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
    "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
    "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
    "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City",
    "Shipping Zip", "Shipping Province", "Shipping Country", "Shipping Phone", "Notes",
    "Note Attributes", "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount",
    "Vendor", "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags",
    "Risk Level", "Source", "Lineitem discount", "Tax 1 Name", "Tax 1 Value", "Tax 2 Name",
    "Tax 2 Value", "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value", "Tax 5 Name",
    "Tax 5 Value", "Phone", "Receipt Number", "Duties", "Billing Province Name",
    "Shipping Province Name", "Payment ID", "Payment Terms Name", "Next Payment Due At",
    "Payment References",
]  # fmt: skip

GENERIC_HEADER = "order_number,sku,quantity,ship_name,ship_address1,ship_city,ship_country\n"

Item = OrderDraft | RejectedOrder


def read_all(path: Path, fmt: str) -> list[Item]:
    return list(read_orders(path, fmt))


def drafts(items: Iterable[Item]) -> dict[str, OrderDraft]:
    return {item.number: item for item in items if isinstance(item, OrderDraft)}


def rejected(items: Iterable[Item]) -> list[RejectedOrder]:
    return [item for item in items if isinstance(item, RejectedOrder)]


def why(item: Item) -> str:
    assert isinstance(item, RejectedOrder), item
    return item.reason


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def shopify_row(name: str, sku: str, quantity: str = "1", **columns: str) -> dict[str, str]:
    """A row after an order's first: Shopify repeats the Name and gives the Lineitem columns.

    Keyword columns are Shopify's titles with underscores for spaces (Lineitem_sku).
    """
    row = {"Name": name, "Lineitem sku": sku, "Lineitem quantity": quantity}
    row.update({key.replace("_", " "): value for key, value in columns.items()})
    return row


def first_shopify_row(name: str, sku: str, quantity: str = "1", **columns: str) -> dict[str, str]:
    """An order's first row, which also carries the order's own columns."""
    order_columns = {
        "Email": "buyer@example.com", "Financial Status": "paid",
        "Fulfillment Status": "unfulfilled", "Currency": "USD", "Total": "10.00",
        "Created at": "2024-03-05 14:22:11 -0500", "Shipping Name": "Sam Buyer",
        "Shipping Address1": "1 Main St", "Shipping City": "Springfield", "Shipping Zip": "'01101",
        "Shipping Province": "MA", "Shipping Country": "US",
    }  # fmt: skip
    return {**order_columns, **shopify_row(name, sku, quantity, **columns)}


def shopify_file(
    tmp_path: Path, rows: list[dict[str, str]], header: list[str] | None = None
) -> Path:
    path = tmp_path / "orders_export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header or SHOPIFY_HEADER, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- The Shopify export ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shopify_orders() -> list[Item]:
    return read_all(SHOPIFY_EXPORT, "shopify")


def test_shopify_export_gives_every_order_once_in_file_order(shopify_orders: list[Item]) -> None:
    assert [type(o) for o in shopify_orders] == [OrderDraft] * 7
    assert [o.number for o in shopify_orders] == [f"#100{i}" for i in range(1, 8)]
    # #1002's note spans two physical lines, so #1003 starts on line 7, not 6.
    assert [o.line_no for o in shopify_orders] == [2, 5, 7, 9, 10, 12, 13]
    assert {o.source for o in drafts(shopify_orders).values()} == {"shopify"}


def test_shopify_multi_line_order_with_a_gift_card(shopify_orders: list[Item]) -> None:
    order = drafts(shopify_orders)["#1001"]
    assert order.lines == (
        LineDraft("TOTE-NAT", 2, "Canvas Tote - Natural", Decimal("19.50"), True, False),
        LineDraft("MUG-12", 1, "Enamel Mug 12oz", Decimal("20.50"), True, False),
        # A gift card ships nothing and has no SKU in Shopify; it is kept, marked as such.
        LineDraft("", 1, "Gift Card - $25", Decimal("25.00"), False, False),
    )


def test_shopify_order_fields_come_from_the_first_row(shopify_orders: list[Item]) -> None:
    order = drafts(shopify_orders)["#1001"]
    assert order.ship_to == AddressDraft(
        name="Zoë Ångström", address1="12 Beacon St", address2="Apt 3", city="Boston",
        region="MA", postal_code="02134", country="US", phone="+1 617-555-0101",
    )  # fmt: skip
    assert order.email == "zoe@example.com"
    assert order.customer_name == "Zoë Ångström"
    assert order.placed_at == datetime(2024, 3, 5, 14, 22, 11, tzinfo=timezone(timedelta(hours=-5)))
    assert order.placed_at is not None and order.placed_at.utcoffset() == timedelta(hours=-5)
    assert order.service == "Standard Shipping"
    assert order.carrier == ""
    assert (order.payment_status, order.currency, order.total) == ("paid", "USD", Decimal("97.73"))
    assert type(order.total) is Decimal
    assert (order.cancelled, order.fulfilled, order.ship_by, order.priority) == (
        False,
        False,
        None,
        0,
    )


def test_shopify_payment_and_fulfilment_states(shopify_orders: list[Item]) -> None:
    orders = drafts(shopify_orders)
    assert {number: o.payment_status for number, o in orders.items()} == {
        "#1001": "paid", "#1002": "pending", "#1003": "voided", "#1004": "paid",
        "#1005": "partially_refunded", "#1006": "authorized", "#1007": "paid",
    }  # fmt: skip
    assert [n for n, o in orders.items() if o.cancelled] == ["#1003"]
    assert [n for n, o in orders.items() if o.fulfilled] == ["#1004"]
    assert [line.fulfilled_before for line in orders["#1004"].lines] == [True]
    # Partially fulfilled: the order still needs work, only the shipped line is marked.
    assert orders["#1005"].fulfilled is False
    assert [(ln.sku, ln.fulfilled_before) for ln in orders["#1005"].lines] == [
        ("TOTE-NAT", True),
        ("TOTE-BLK", False),
    ]


def test_shopify_unicode_and_multi_line_note_are_kept_exactly(shopify_orders: list[Item]) -> None:
    order = drafts(shopify_orders)["#1002"]
    assert order.ship_to == AddressDraft(
        name="山田 太郎", company="株式会社テスト", address1="千代田1-1", city="千代田区",
        region="13", postal_code="100-0001", country="JP", phone="+81 3-5555-0100",
    )  # fmt: skip
    assert order.lines[0].name == "緑茶 100g"
    assert order.note == "Leave at the front desk,\nring twice"
    assert order.total == Decimal("4100")


def test_shopify_formula_looking_name_is_stored_literally(shopify_orders: list[Item]) -> None:
    order = drafts(shopify_orders)["#1006"]
    assert order.ship_to.name == '=HYPERLINK("http://x","y")'
    assert order.customer_name == '=HYPERLINK("http://x","y")'
    assert order.service == "Livraison Rapide [4 à 5 Jours ouvrés]"


def test_shopify_country_is_upper_cased_and_apostrophe_dropped(shopify_orders: list[Item]) -> None:
    order = drafts(shopify_orders)["#1004"]  # written as "us" and "'10118" in the file
    assert (order.ship_to.country, order.ship_to.postal_code) == ("US", "10118")
    assert order.ship_to.company == "Example Corp"


def test_shopify_digital_only_order_keeps_a_blank_address(shopify_orders: list[Item]) -> None:
    order = drafts(shopify_orders)["#1007"]
    assert order.ship_to == AddressDraft()
    assert order.customer_name == "Priya Raman"  # from the billing name
    assert [(ln.sku, ln.requires_shipping) for ln in order.lines] == [("", False)]


def test_shopify_bad_quantity_rejects_that_order_only(tmp_path: Path) -> None:
    path = shopify_file(
        tmp_path,
        [
            first_shopify_row("#2001", "MUG-12"),
            first_shopify_row("#2002", "TOTE-NAT"),
            shopify_row("#2002", "MUG-12", "-2"),
            first_shopify_row("#2003", "SOCK-M", "3"),
        ],
    )
    items = read_all(path, "shopify")
    assert items[1] == RejectedOrder(
        3, "line 4: Lineitem quantity must be a whole number above 0, got '-2'", "#2002"
    )
    assert [type(i) for i in items] == [OrderDraft, RejectedOrder, OrderDraft]
    assert sorted(drafts(items)) == ["#2001", "#2003"]
    assert drafts(items)["#2003"].lines[0].quantity == 3


@pytest.mark.parametrize("quantity", ["two", "1.5", "0", "", "+1", "1e3", "1_000", "１"])
def test_shopify_quantity_must_be_a_plain_whole_number(tmp_path: Path, quantity: str) -> None:
    items = read_all(shopify_file(tmp_path, [first_shopify_row("#1", "A", quantity)]), "shopify")
    assert len(items) == 1 and isinstance(items[0], RejectedOrder)
    assert why(items[0]).startswith("line 2: Lineitem quantity ")
    assert items[0].number == "#1"


def test_shopify_order_appearing_again_later_is_rejected_not_merged(tmp_path: Path) -> None:
    path = shopify_file(
        tmp_path,
        [
            first_shopify_row("#1001", "A"),
            first_shopify_row("#1002", "B"),
            shopify_row("#1001", "C"),
            shopify_row("#1001", "D"),
            first_shopify_row("#1003", "E"),
        ],
    )
    items = read_all(path, "shopify")
    assert items[2] == RejectedOrder(
        4,
        "order #1001 appears again at line 4 (first at line 2); its rows must be together",
        "#1001",
    )
    assert [i.number for i in items] == ["#1001", "#1002", "#1001", "#1003"]
    assert [line.sku for line in drafts(items)["#1001"].lines] == ["A"]


def test_shopify_duplicated_line_stays_two_lines(tmp_path: Path) -> None:
    path = shopify_file(
        tmp_path, [first_shopify_row("#7", "MUG-12", "2"), shopify_row("#7", "MUG-12", "2")]
    )
    (order,) = read_all(path, "shopify")
    assert isinstance(order, OrderDraft)
    assert [(ln.sku, ln.quantity) for ln in order.lines] == [("MUG-12", 2), ("MUG-12", 2)]


@pytest.mark.parametrize(
    ("written", "expected"),
    [("Partially Paid", "partially_paid"), ("AUTHORIZED", "authorized"), ("", "")],
)
def test_shopify_financial_status_is_normalised(
    tmp_path: Path, written: str, expected: str
) -> None:
    row = first_shopify_row("#1", "A", **{"Financial_Status": written})
    (order,) = read_all(shopify_file(tmp_path, [row]), "shopify")
    assert isinstance(order, OrderDraft)
    # A blank status stays blank, so verification holds the order ("payment status is missing").
    assert order.payment_status == expected


def test_shopify_row_without_order_number_is_rejected_alone(tmp_path: Path) -> None:
    path = shopify_file(
        tmp_path,
        [first_shopify_row("#1", "A"), shopify_row("", "B"), first_shopify_row("#2", "C")],
    )
    items = read_all(path, "shopify")
    assert (
        RejectedOrder(
            3, "line 3: Name (the order number) is empty, so this row belongs to no order"
        )
        in items
    )
    assert sorted(drafts(items)) == ["#1", "#2"]


def test_a_line_without_a_sku_is_read_as_it_is_in_every_format(tmp_path: Path) -> None:
    # A custom item, or a product deleted in the shop: the order is read, verification holds it.
    bowl = LineDraft("", 1, "Hand-made clay bowl", Decimal("0"), True, False)
    shopify = shopify_file(
        tmp_path, [first_shopify_row("#1", "", Lineitem_name="Hand-made clay bowl")]
    )
    generic = write(
        tmp_path, "orders.csv", "order_number,sku,quantity,name\nA-1,,1,Hand-made clay bowl\n"
    )
    json_file = write(
        tmp_path,
        "orders.json",
        '[{"order_number": "W-1", "lines": [{"quantity": 1, "name": "Hand-made clay bowl"}]},'
        ' {"order_number": "W-2", "lines": [{"sku": " ", "quantity": 1, '
        '"name": "Hand-made clay bowl"}]}]',
    )
    assert drafts(read_all(shopify, "shopify"))["#1"].lines == (bowl,)
    assert drafts(read_all(generic, "csv"))["A-1"].lines == (bowl,)
    assert [o.lines for o in drafts(read_all(json_file, "json")).values()] == [(bowl,)] * 2


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("Created_at", "yesterday", "line 2: Created at must be a date and time like "),
        ("Lineitem_requires_shipping", "maybe", "line 2: Lineitem requires shipping must be "),
        ("Lineitem_price", "12,50", "line 2: Lineitem price must be an amount of 0 or more"),
        ("Total", "-5.00", "line 2: Total must be an amount of 0 or more"),
    ],
)
def test_shopify_malformed_values_reject_the_order(
    tmp_path: Path, column: str, value: str, reason: str
) -> None:
    row = first_shopify_row("#1", "A", **{column: value})
    items = read_all(shopify_file(tmp_path, [row, first_shopify_row("#2", "B")]), "shopify")
    assert isinstance(items[0], RejectedOrder)
    assert why(items[0]).startswith(reason)
    assert items[0].number == "#1"
    assert list(drafts(items)) == ["#2"]


def test_shopify_export_lacking_required_columns_is_unusable(tmp_path: Path) -> None:
    header = [h for h in SHOPIFY_HEADER if h not in ("Lineitem sku", "Lineitem quantity")]
    path = shopify_file(tmp_path, [{"Name": "#1"}], header)
    with pytest.raises(
        FileUnusable, match="lacks required columns: Lineitem quantity, Lineitem sku"
    ):
        read_orders(path, "shopify")


# --- The generic CSV ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def csv_orders() -> list[Item]:
    return read_all(GENERIC_CSV, "csv")


def test_generic_csv_gives_each_order_with_physical_line_numbers(csv_orders: list[Item]) -> None:
    # Line 4 is blank and A-101's note spans lines 5 and 6.
    assert [(type(o), o.number, o.line_no) for o in csv_orders] == [
        (OrderDraft, "A-100", 2),
        (OrderDraft, "A-101", 5),
        (OrderDraft, "A-102", 10),
    ]


def test_generic_csv_order_fields_repeated_on_every_row(csv_orders: list[Item]) -> None:
    order = drafts(csv_orders)["A-100"]
    assert order == OrderDraft(
        number="A-100",
        source="csv",
        line_no=2,
        lines=(
            LineDraft("TOTE-NAT", 2, "Canvas Tote - Natural", Decimal("19.50")),
            LineDraft("MUG-12", 1, "Enamel Mug 12oz", Decimal("20.00")),
        ),
        ship_to=AddressDraft(
            name="Zoë Ångström",
            address1="12 Beacon St",
            address2="Apt 3",
            city="Boston",
            region="MA",
            postal_code="02134",
            country="US",
            phone="+1 617-555-0101",
        ),
        email="zoe@example.com",
        customer_name="Zoë Ångström",
        placed_at=datetime(2024, 3, 7, 13, 30, tzinfo=UTC),
        ship_by=datetime(2024, 3, 8, 22, 0, tzinfo=UTC),
        priority=1,
        carrier="UPS",
        service="Ground",
        payment_status="paid",
        currency="USD",
        total=Decimal("59.00"),
    )


def test_generic_csv_order_fields_on_first_row_only(csv_orders: list[Item]) -> None:
    order = drafts(csv_orders)["A-101"]
    # The same SKU twice stays two lines: the quantities are the customer's.
    assert order.lines == (
        LineDraft("SOCK-M", 1, "Wool Socks - M", Decimal("13.00")),
        LineDraft("SOCK-M", 1, "Wool Socks - M", Decimal("13.00")),
        LineDraft("GIFT-WRAP", 1, "Gift wrapping", Decimal("2.00"), requires_shipping=False),
        LineDraft("", 1, "Handwritten card", Decimal("0"), requires_shipping=False),
    )
    assert order.ship_to.company == "Weiß & Söhne GmbH"
    assert order.ship_to.country == "DE"
    assert order.ship_by == datetime(2024, 3, 9, 12, 0, tzinfo=UTC)  # no offset given: UTC
    assert order.ship_by is not None and order.ship_by.tzinfo is not None
    assert (order.payment_status, order.currency) == ("pending", "EUR")
    assert (order.carrier, order.service, order.priority) == ("DHL", "Paket", 0)
    assert order.note == "Please call before delivery,\nthe bell is broken"


def test_generic_csv_defaults_and_unicode(csv_orders: list[Item]) -> None:
    order = drafts(csv_orders)["A-102"]
    assert order.payment_status == "paid"  # the default when not given
    assert order.priority == -1
    assert (order.placed_at, order.ship_by, order.carrier) == (None, None, "")
    assert order.ship_to.region == "東京都"
    assert order.ship_to.name == "山田 太郎"
    assert order.lines == (LineDraft("TEA-G100", 3, "緑茶 100g", Decimal("1100")),)


def test_generic_csv_header_case_extra_columns_and_blank_lines(tmp_path: Path) -> None:
    text = (
        " Order_Number ,SKU,Quantity,Warehouse Memo,ship_country\n"
        "\n"
        "  A-1  ,  MUG-12 , 2 ,ignore me,  de \n"
        ",,,,\n"
        "A-2,TOTE-NAT,1,,US\n"
        "\n"
    )
    items = read_all(write(tmp_path, "orders.csv", text), "csv")
    assert [(o.number, o.line_no) for o in items] == [("A-1", 3), ("A-2", 5)]
    first = drafts(items)["A-1"]
    assert first.lines == (LineDraft("MUG-12", 2),)
    assert first.ship_to.country == "DE"


def test_generic_csv_with_byte_order_mark(tmp_path: Path) -> None:
    path = write(tmp_path, "orders.csv", "\ufefforder_number,sku,quantity\nA-1,MUG-12,1\n")
    assert list(drafts(read_all(path, "csv"))) == ["A-1"]


def test_generic_csv_bad_quantity_names_the_physical_line(tmp_path: Path) -> None:
    good = "".join(f"A-{n},MUG-12,1,Sam,1 Main St,Springfield,US\n" for n in range(12))
    text = GENERIC_HEADER + good + "B-1,MUG-12,1,Sam,1 Main St,Springfield,US\nB-1,TOTE,-2,,,,\n"
    items = read_all(write(tmp_path, "orders.csv", text), "csv")
    assert items[-1] == RejectedOrder(
        14, "line 15: quantity must be a whole number above 0, got '-2'", "B-1"
    )
    assert len(drafts(items)) == 12


def test_generic_csv_quantity_over_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "orders.csv", "order_number,sku,quantity\nA-1,MUG-12,5000000\n")
    (item,) = read_all(path, "csv")
    assert item == RejectedOrder(
        2, "line 2: quantity must be at most 1,000,000, got '5000000'", "A-1"
    )


def test_generic_csv_disagreeing_order_fields_reject_the_order(tmp_path: Path) -> None:
    text = (
        GENERIC_HEADER
        + "A-1,MUG-12,1,Sam,1 Main St,Boston,US\n"
        + "A-1,TOTE,1,Sam,1 Main St,Cambridge,US\n"
        + "A-2,TOTE,1,Sam,1 Main St,Boston,US\n"
    )
    items = read_all(write(tmp_path, "orders.csv", text), "csv")
    assert items[0] == RejectedOrder(
        2,
        "line 3: ship_city 'Cambridge' differs from 'Boston' on line 2; "
        "every row of an order must give the same ship_city",
        "A-1",
    )
    assert list(drafts(items)) == ["A-2"]


def test_generic_csv_missing_order_number(tmp_path: Path) -> None:
    text = "order_number,sku,quantity\nA-1,MUG-12,1\n,TOTE,1\nA-2,TOTE,1\n"
    items = read_all(write(tmp_path, "orders.csv", text), "csv")
    assert items == [
        RejectedOrder(3, "line 3: order_number is empty, so this row belongs to no order"),
        drafts(items)["A-1"],
        drafts(items)["A-2"],
    ]


def test_generic_csv_order_rows_must_be_together(tmp_path: Path) -> None:
    text = "order_number,sku,quantity\nA-1,MUG-12,1\nA-2,TOTE,1\nA-1,SOCK,1\n"
    items = read_all(write(tmp_path, "orders.csv", text), "csv")
    assert items[-1] == RejectedOrder(
        4, "order A-1 appears again at line 4 (first at line 2); its rows must be together", "A-1"
    )
    assert [ln.sku for ln in drafts(items)["A-1"].lines] == ["MUG-12"]


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (
            "unit_price",
            "12,50",
            "unit_price must be an amount of 0 or more, like 12.50, got '12,50'",
        ),
        ("unit_price", "NaN", "unit_price must be an amount of 0 or more, like 12.50, got 'NaN'"),
        ("total", "abc", "total must be an amount of 0 or more, like 12.50, got 'abc'"),
        ("placed_at", "05/03/2024", "placed_at must be a date and time like 2024-03-05T14:22"),
        ("ship_by", "2024-02-30T10:00:00", "ship_by must be a date and time like "),
        ("priority", "high", "priority must be a whole number, got 'high'"),
        ("requires_shipping", "maybe", "requires_shipping must be true or false, got 'maybe'"),
        ("quantity", "two", "quantity must be a whole number above 0, got 'two'"),
    ],
)
def test_generic_csv_malformed_values(tmp_path: Path, column: str, value: str, reason: str) -> None:
    bad = {"order_number": "A-1", "sku": "MUG-12", "quantity": "1", column: value}
    path = tmp_path / "orders.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(bad), restval="")
        writer.writeheader()
        writer.writerows([bad, {"order_number": "A-2", "sku": "MUG-12", "quantity": "1"}])
    items = read_all(path, "csv")
    assert isinstance(items[0], RejectedOrder)
    assert why(items[0]).startswith("line 2: " + reason)
    assert items[0].number == "A-1"
    assert [o.number for o in items[1:]] == ["A-2"]


def test_generic_csv_reason_lists_the_first_problems(tmp_path: Path) -> None:
    rows = "".join(f"A-1,MUG-12,{bad}\n" for bad in ("0", "x", "-1", "1.5", ""))
    items = read_all(write(tmp_path, "orders.csv", "order_number,sku,quantity\n" + rows), "csv")
    assert items == [
        RejectedOrder(
            2,
            "line 2: quantity must be a whole number above 0, got '0'; "
            "line 3: quantity must be a whole number above 0, got 'x'; "
            "line 4: quantity must be a whole number above 0, got '-1'; and 2 more",
            "A-1",
        )
    ]


def test_generic_csv_missing_required_columns_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "orders.csv", "order_number,name\nA-1,Mug\n")
    with pytest.raises(FileUnusable, match="lacks required columns: sku, quantity"):
        read_orders(path, "csv")


def test_generic_csv_header_only_gives_nothing(tmp_path: Path) -> None:
    assert read_all(write(tmp_path, "orders.csv", "order_number,sku,quantity\n\n"), "csv") == []


def test_csv_that_breaks_after_orders_went_out_ends_with_a_rejection(tmp_path: Path) -> None:
    # A cell over the csv module's field limit cannot be read: the reader stops there.
    huge = '"' + "x" * 200_000 + '"'
    text = f"order_number,sku,quantity,note\nA-1,MUG,1,\nA-2,MUG,1,\nA-3,MUG,1,{huge}\nA-4,MUG,1,\n"
    items = read_all(write(tmp_path, "orders.csv", text), "csv")
    assert [type(i) for i in items] == [OrderDraft, RejectedOrder]
    assert items[1].number == "A-2"  # its rows might have gone on, so it is not received
    assert "line 4" in why(items[1]) and "Order A-2 is incomplete" in why(items[1])


def test_csv_that_breaks_before_any_order_is_unusable(tmp_path: Path) -> None:
    huge = '"' + "x" * 200_000 + '"'
    path = write(tmp_path, "orders.csv", f"order_number,sku,quantity,note\nA-1,MUG,1,{huge}\n")
    with pytest.raises(FileUnusable, match="line 2"):
        read_orders(path, "csv")


# --- JSON -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def json_orders() -> list[Item]:
    return read_all(GENERIC_JSON, "json")


def test_json_orders_with_the_line_each_starts_on(json_orders: list[Item]) -> None:
    assert [(type(o), o.number, o.line_no) for o in json_orders] == [
        (OrderDraft, "W-5001", 2),
        (OrderDraft, "W-5002", 30),
        (OrderDraft, "5003", 43),
    ]
    assert {o.source for o in drafts(json_orders).values()} == {"json"}


def test_json_full_order(json_orders: list[Item]) -> None:
    order = drafts(json_orders)["W-5001"]
    assert order.ship_to == AddressDraft(
        name="Zoë Ångström", address1="12 Beacon St", address2="Apt 3", city="Boston",
        region="MA", postal_code="02134", country="US", phone="+1 617-555-0101",
    )  # fmt: skip
    assert order.lines == (
        LineDraft("TOTE-NAT", 2, "Canvas Tote - Natural", Decimal("19.50")),
        LineDraft("MUG-12", 1, "Enamel Mug 12oz", Decimal("20.00")),
    )
    assert order.placed_at == datetime(2024, 3, 7, 13, 30, tzinfo=UTC)
    assert order.ship_by == datetime(2024, 3, 8, 17, 0, tzinfo=UTC)
    assert (order.priority, order.carrier, order.service) == (2, "UPS", "Ground")
    assert (order.payment_status, order.currency, order.total) == (
        "authorized",
        "USD",
        Decimal("59.00"),
    )
    assert (order.email, order.customer_name) == ("zoe@example.com", "Zoë Ångström")


def test_json_numbers_defaults_unicode_and_formulas(json_orders: list[Item]) -> None:
    order = drafts(json_orders)["W-5002"]
    assert order.total == Decimal("3300")
    assert order.payment_status == "paid"
    assert order.note == '=HYPERLINK("http://x","y")'
    assert order.ship_to.region == "東京都"
    assert order.lines[1] == LineDraft("GIFT-25", 1, "Gift card", requires_shipping=False)
    bare = drafts(json_orders)["5003"]  # a numeric order number, no ship_to
    assert bare.ship_to == AddressDraft()
    assert bare.lines == (LineDraft("MUG-12", 4),)


def test_json_money_is_exact(tmp_path: Path) -> None:
    text = '[{"order_number": "X", "total": 0.3, "lines": [{"sku": "A", "quantity": 1, '
    text += '"unit_price": 0.1}]}]'
    (order,) = read_all(write(tmp_path, "orders.json", text), "json")
    assert isinstance(order, OrderDraft)
    assert (order.total, order.lines[0].unit_price) == (Decimal("0.3"), Decimal("0.1"))


def json_file(tmp_path: Path, elements: list[str]) -> Path:
    """Each element on its own line, so that element i starts on line i + 2."""
    return write(tmp_path, "orders.json", "[\n" + ",\n".join(elements) + "\n]\n")


GOOD = '{"order_number": "%s", "lines": [{"sku": "MUG-12", "quantity": 1}]}'
LINE = {"sku": "A", "quantity": 1}


def order_b(**fields: object) -> str:
    return json.dumps({"order_number": "B", "lines": [LINE], **fields}, ensure_ascii=False)


def line_b(**fields: object) -> str:
    return order_b(lines=[{**LINE, **fields}])


@pytest.mark.parametrize(
    ("element", "reason"),
    [
        (json.dumps({"lines": [LINE]}), "order_number is missing"),
        (order_b(order_number=""), "order_number is missing"),
        (order_b(order_number=["B"]), "order_number must be text or a number, got a list [...]"),
        (line_b(quantity=0), "lines[0].quantity must be a whole number above 0, got '0'"),
        (line_b(quantity="two"), "lines[0].quantity must be a whole number above 0, got 'two'"),
        (line_b(quantity=2.5), "lines[0].quantity must be a whole number above 0, got '2.5'"),
        (line_b(quantity=True), "lines[0].quantity must be text or a number, got true/false"),
        (order_b(lines=[{"sku": "A"}]), "lines[0].quantity is missing; it must be a whole number"),
        (line_b(requires_shipping="perhaps"), "lines[0].requires_shipping must be true or false"),
        (order_b(lines=[]), "order B has no line items"),
        (json.dumps({"order_number": "B"}), "lines must be a list [...] of items, got null"),
        (order_b(lines={"sku": "A"}), "lines must be a list [...] of items, got an object {...}"),
        (order_b(lines=["A"]), "lines[0] must be an object {...}, got text or a number"),
        (order_b(email={"x": 1}), "email must be text or a number, got an object {...}"),
        (order_b(ship_to=["x"]), "ship_to must be an object {...}, got a list [...]"),
        (order_b(ship_to={"city": ["x"]}), "ship_to.city must be text or a number, got a list"),
        (order_b(total="1.2.3"), "total must be an amount of 0 or more, like 12.50, got '1.2.3'"),
        (order_b(total=-1), "total must be an amount of 0 or more, like 12.50, got '-1'"),
        (order_b(placed_at="tomorrow"), "placed_at must be a date and time like "),
        (order_b(priority="urgent"), "priority must be a whole number, got 'urgent'"),
        (order_b(priority=1.5), "priority must be a whole number, got '1.5'"),
        (json.dumps({"order_number": "B", "note": "\ud800"}), "note holds a broken \\u escape"),
        ("42", "each order must be an object {...}, got text or a number"),
        ("null", "each order must be an object {...}, got null"),
        ("[]", "each order must be an object {...}, got a list [...]"),
    ],
)
def test_json_element_that_is_not_a_valid_order(tmp_path: Path, element: str, reason: str) -> None:
    path = json_file(tmp_path, [GOOD % "A", element, GOOD % "C"])
    items = read_all(path, "json")
    assert [type(i) for i in items] == [OrderDraft, RejectedOrder, OrderDraft]
    assert items[1].line_no == 3
    assert why(items[1]).startswith("line 3: " + reason)
    assert [o.number for o in drafts(items).values()] == ["A", "C"]


def test_json_unknown_keys_are_ignored_and_odd_but_valid_values_read(tmp_path: Path) -> None:
    element = order_b(
        order_number=" B ",
        source="amazon",
        ship_to={"city": 7.5, "country": "fr", "zip": "x"},
        lines=[{"sku": "A", "quantity": "3", "colour": "red"}],
    )
    (order,) = read_all(json_file(tmp_path, [element]), "json")
    assert isinstance(order, OrderDraft)
    assert (order.number, order.source) == ("B", "json")
    assert order.ship_to == AddressDraft(city="7.5", country="FR")
    assert order.lines == (LineDraft("A", 3),)


def test_json_order_given_twice_rejects_the_second(tmp_path: Path) -> None:
    items = read_all(json_file(tmp_path, [GOOD % "A", GOOD % "B", GOOD % "A"]), "json")
    assert items[2] == RejectedOrder(
        4, "order A appears again at line 4 (first at line 2); each order once only", "A"
    )
    assert list(drafts(items)) == ["A", "B"]


def test_json_malformed_element_after_good_ones_stops_reading(tmp_path: Path) -> None:
    broken = '{"order_number": "B", "lines": [{"sku": "A" "quantity": 1}]}'
    items = read_all(json_file(tmp_path, [GOOD % "A", broken, GOOD % "C"]), "json")
    assert [type(i) for i in items] == [OrderDraft, RejectedOrder]
    assert items[1].line_no == 3
    assert why(items[1]) == (
        "line 3: the order starting on line 3 is not valid JSON (Expecting ',' delimiter); "
        "reading stopped there"
    )


def test_json_missing_comma_between_orders_stops_reading(tmp_path: Path) -> None:
    path = write(tmp_path, "orders.json", f"[\n{GOOD % 'A'}\n{GOOD % 'B'}\n]")
    items = read_all(path, "json")
    assert [type(i) for i in items] == [OrderDraft, RejectedOrder]
    assert why(items[1]).startswith(
        "line 3: expected ']' or ',' after the order starting on line 2, got '{'"
    )


def test_json_truncated_file_after_an_order(tmp_path: Path) -> None:
    path = write(tmp_path, "orders.json", f"[\n{GOOD % 'A'},\n{GOOD % 'B'}")
    items = read_all(path, "json")
    assert [type(i) for i in items] == [OrderDraft, OrderDraft, RejectedOrder]
    assert "got the end of the file" in why(items[2])


def test_json_text_after_the_list_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "orders.json", f"[{GOOD % 'A'}]\n\ngarbage")
    items = read_all(path, "json")
    assert items[1] == RejectedOrder(
        3, "line 3: there is more text after the closing ']'; reading stopped there"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "orders.json is empty"),
        ("  \n ", "orders.json is empty"),
        ('{"orders": []}', "orders.json is not a JSON list of orders: it must start with '\\['"),
        ('"orders"', "must start with '\\['"),
        ('[\n{"order_number": "A",,}\n]', "line 2: the order starting on line 2 is not valid"),
        ('[\n{"order_number": "A"', "line 2: the order starting on line 2 is not valid JSON"),
        ("[,]", "not valid JSON"),
        ("[] x", "more text after the closing"),
    ],
)
def test_json_unusable_before_any_order(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "orders.json", text)
    with pytest.raises(FileUnusable, match=message):
        read_orders(path, "json")


def test_json_empty_list_and_byte_order_mark(tmp_path: Path) -> None:
    assert read_all(write(tmp_path, "orders.json", " [ ] \n"), "json") == []
    path = write(tmp_path, "bom.json", "\ufeff[" + GOOD % "A" + "]")
    assert list(drafts(read_all(path, "json"))) == ["A"]


@pytest.mark.parametrize("shift", range(0, 70, 3))
def test_json_order_split_across_read_chunks(tmp_path: Path, shift: int) -> None:
    # Put the boundary of the reader's 64 KiB chunks at every place inside the second order.
    element = GOOD.replace("1}", "12345}") % "B"
    padding = " " * (65536 - 2 - len(GOOD % "A") - shift)
    path = write(tmp_path, "orders.json", "[" + GOOD % "A" + "," + padding + element + "]")
    items = read_all(path, "json")
    assert [o.number for o in items] == ["A", "B"]
    assert drafts(items)["B"].lines[0].quantity == 12345


def test_json_bare_number_element_split_across_chunks(tmp_path: Path) -> None:
    padding = " " * (65536 - 4 - 2 - len(GOOD % "A"))  # the chunk ends inside the number
    path = write(tmp_path, "orders.json", "[" + GOOD % "A" + "," + padding + "12345678]")
    items = read_all(path, "json")
    # Read whole, the number is one (wrong) element, not two.
    assert [type(i) for i in items] == [OrderDraft, RejectedOrder]


@pytest.mark.parametrize(
    ("element", "reason"),
    [
        (order_b(attributes=json.loads("[" * 200 + "]" * 200)), None),  # deep, but it can be read
        ('{"order_number": "B", "note": ' + "[" * 3000 + "]" * 3000 + ', "lines": []}',
         "line 3: this order nests lists or objects too deeply to be read"),
        ('{"order_number": "B", "x": [{"a": "]]}}"}, ' + '{"b": ' * 3000 + "1" + "}" * 3000
         + "]}", "line 3: this order nests lists or objects too deeply to be read"),
        ('{"order_number": "B", "lines": [{"sku": "A", "quantity": 1e99999999999999999999}]}',
         "line 3: this order holds a number that cannot be read"),
        ('{"order_number": "B", "lines": [{"sku": "A", "quantity": ' + "7" * 5000 + "}]}",
         "line 3: lines[0].quantity must be at most 1,000,000, "
         "got '777777777777777777777777777777777777777… (5,000 characters)'"),
        ('{"order_number": "B", "lines": [{"sku": "A", "quantity": "' + "0" * 4999 + '7"}]}',
         None),
        (order_b(total=float("inf")), "line 3: total must be an amount of 0 or more, like 12.50, "
         "got 'Infinity'"),
        (line_b(quantity=float("nan")), "line 3: lines[0].quantity must be a whole number above 0, "
         "got 'NaN'"),
    ],
)  # fmt: skip
def test_json_order_that_python_cannot_decode_is_rejected_and_the_rest_read(
    tmp_path: Path, element: str, reason: str | None
) -> None:
    path = json_file(tmp_path, [GOOD % "A", element, GOOD % "C"])
    items = read_all(path, "json")
    assert [o.number for o in drafts(items).values()] == (["A", "C"] if reason else ["A", "B", "C"])
    if reason:
        assert [type(i) for i in items] == [OrderDraft, RejectedOrder, OrderDraft]
        assert (items[1].line_no, why(items[1])) == (3, reason)


def test_json_deep_order_across_read_chunks(tmp_path: Path) -> None:
    # Nested past the 64 KiB the reader holds at first, with brackets inside a string.
    deep = '{"order_number": "B", "x": "[[{", "y": ' + "[" * 50_000 + "]" * 50_000 + "}"
    path = json_file(tmp_path, [GOOD % "A", deep, GOOD % "C"])
    items = read_all(path, "json")
    assert [type(i) for i in items] == [OrderDraft, RejectedOrder, OrderDraft]
    assert list(drafts(items)) == ["A", "C"]


def test_json_deep_order_cut_off_by_the_end_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "orders.json", "[\n" + GOOD % "A" + ",\n" + "[" * 3000)
    items = read_all(path, "json")
    assert [type(i) for i in items] == [OrderDraft, RejectedOrder]
    assert why(items[1]) == (
        "line 3: the order starting on line 3 is not valid JSON (nests lists or objects too "
        "deeply to be read); reading stopped there"
    )


# --- Any format -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_file_is_unusable_at_once(tmp_path: Path, fmt: str) -> None:
    with pytest.raises(FileUnusable, match="File not found"):
        read_orders(tmp_path / "nope.txt", fmt)  # raised by the call, before any iteration


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("shopify", ",".join(SHOPIFY_HEADER) + "\n#1,Zoë\n"),
        ("csv", "order_number,sku,quantity,ship_name\nA-1,MUG,1,Zoë\n"),
        ("json", '[\n{"order_number": "A", "customer_name": "Zoë", "lines": []}]'),
    ],
)
def test_latin1_file_is_unusable(tmp_path: Path, fmt: str, text: str) -> None:
    path = write(tmp_path, "orders.txt", text, encoding="latin-1")
    with pytest.raises(FileUnusable, match="not UTF-8 text \\(line 2"):
        read_orders(path, fmt)


def test_unknown_format_is_refused() -> None:
    refusal = "Unknown order file format 'xml'; use one of shopify, csv, json"
    with pytest.raises(ValueError, match=refusal):
        read_orders(GENERIC_CSV, "xml")


# --- Streaming ------------------------------------------------------------------------------------

ORDERS = 10_000
PADDING = "x" * 1000  # makes each order large enough that the file dwarfs any fixed buffer


def big_shopify(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, SHOPIFY_HEADER, restval="", lineterminator="\n")
        writer.writeheader()
        for n in range(ORDERS):
            writer.writerow(first_shopify_row(f"#{n}", "MUG-12", "2", Notes=PADDING))
            writer.writerow(shopify_row(f"#{n}", "TOTE-NAT", "1", Lineitem_name=PADDING))


def big_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("order_number,sku,quantity,note\n")
        for n in range(ORDERS):
            handle.write(f"A-{n},MUG-12,2,{PADDING}\nA-{n},TOTE-NAT,1,{PADDING}\n")


def big_json(path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[\n")
        for n in range(ORDERS):
            lines = [{"sku": "MUG-12", "quantity": 2}, {"sku": "TOTE-NAT", "quantity": 1}]
            order = {"order_number": f"J-{n}", "note": PADDING, "total": "12.50", "lines": lines}
            handle.write(("," if n else "") + json.dumps(order) + "\n")
        handle.write("]\n")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fmt", "make"), [("shopify", big_shopify), ("csv", big_csv), ("json", big_json)]
)
def test_large_file_streams_in_bounded_memory(
    tmp_path: Path, fmt: str, make: Callable[[Path], None]
) -> None:
    path = tmp_path / f"big.{fmt}"
    make(path)
    size = path.stat().st_size
    assert size > 3_000_000
    tracemalloc.start()
    try:
        orders = read_orders(path, fmt)
        first = next(orders)
        # The first order is out while nearly all of the file is still unread.
        at_first = tracemalloc.get_traced_memory()[1]
        count, last_line = 1, first.line_no
        for order in orders:
            assert isinstance(order, OrderDraft), order
            assert order.line_no > last_line
            count, last_line = count + 1, order.line_no
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(first, OrderDraft) and len(first.lines) == 2
    assert count == ORDERS
    assert at_first < size / 20, (at_first, size)
    # Only the list of order numbers seen grows with the file (to catch split orders).
    assert peak < size / 4, (peak, size)
