"""Reading order files (Shopify export, generic CSV, JSON) into order drafts, order by order."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from app.domain.formats.tabular import FileUnusable, Row, check_readable_utf8, read_csv
from app.domain.order_drafts import AddressDraft, LineDraft, OrderDraft, RejectedOrder
from app.domain.payment import normalise_payment_status

FORMATS = ("shopify", "csv", "json")
MAX_QUANTITY = 1_000_000

# The generic formats' names for an order's own fields and for a line item's.
ADDRESS_FIELDS: tuple[str, ...] = ("name", "company", "address1", "address2", "city", "region")
ADDRESS_FIELDS += ("postal_code", "country", "phone")
ORDER_FIELDS: tuple[str, ...] = (
    "email",
    "customer_name",
    *(f"ship_{key}" for key in ADDRESS_FIELDS),
)
ORDER_FIELDS += ("placed_at", "ship_by", "priority", "carrier", "service", "payment_status")
ORDER_FIELDS += ("currency", "total", "note")
LINE_FIELDS = ("sku", "quantity", "name", "unit_price", "requires_shipping")

# Shopify column (lower case, as read) for each generic field it has.
_SHOPIFY_ORDER = {
    "email": "email",
    "placed_at": "created at",
    "service": "shipping method",
    "payment_status": "financial status",
    "currency": "currency",
    "total": "total",
    "note": "notes",
    **{
        f"ship_{key}": f"shipping {key}" for key in ("name", "company", "address2", "city", "phone")
    },
    "ship_region": "shipping province",
    "ship_postal_code": "shipping zip",
    "ship_country": "shipping country",
}
_SHOPIFY_LINE = {
    "sku": "lineitem sku",
    "quantity": "lineitem quantity",
    "name": "lineitem name",
    "unit_price": "lineitem price",
    "requires_shipping": "lineitem requires shipping",
}
# Shopify's own column titles, so that a message names the column the operator sees.
_SHOPIFY_TITLES = {
    **{key: column.capitalize() for key, column in _SHOPIFY_LINE.items()},
    "placed_at": "Created at",
    "total": "Total",
}

_SHOPIFY_TIME = "%Y-%m-%d %H:%M:%S %z"  # 2024-03-05 14:22:11 -0500
_WHOLE = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]{1,9}")
_JSON_ORDER = (
    "order_number",
    *(k for k in ORDER_FIELDS if k.removeprefix("ship_") not in ADDRESS_FIELDS),
)
_JSON_SPACE = re.compile(r"[ \t\r\n]*")
# A lone \ud800-style escape decodes to half a surrogate pair, which no database can store.
_UNPAIRED = re.compile("[\ud800-\udfff]")
_MAX_PROBLEMS = 3
_MAX_SHOWN = 40  # characters of a wrong value a message repeats
_JSON_CHUNK = 1 << 16
_MAX_JSON_ORDER = 8 << 20  # characters one JSON order may span: bounds memory on a broken file

_Item = OrderDraft | RejectedOrder
_Label = Callable[[str], str]


def read_orders(path: Path, fmt: str) -> Iterator[OrderDraft | RejectedOrder]:
    """Stream the orders in `path`: a draft per good order, a RejectedOrder per bad one."""
    readers: dict[str, Callable[[Path], Iterator[_Item]]] = {
        "shopify": _read_shopify,
        "csv": _read_generic_csv,
        "json": _read_json,
    }
    if fmt not in readers:
        raise ValueError(f"Unknown order file format '{fmt}'; use one of {', '.join(FORMATS)}.")
    orders = readers[fmt](path)
    # Read the first order now, so that FileUnusable comes from this call and not mid-import.
    first = next(orders, None)
    return iter(()) if first is None else itertools.chain((first,), orders)


@dataclasses.dataclass(frozen=True)
class _Fields:
    """The raw text of one row (or one order) read into typed values, noting each problem."""

    values: Mapping[str, str]
    line_no: int
    label: _Label  # how a message names a field
    problems: list[str]  # shared by all the fields of one order
    lines: Mapping[str, int] = dataclasses.field(default_factory=dict)  # where a field was given

    def text(self, key: str) -> str:
        return (self.values.get(key) or "").strip()

    def problem(self, key: str, want: str, got: str) -> None:
        line = self.lines.get(key, self.line_no)
        shown = (
            got if len(got) <= _MAX_SHOWN else f"{got[: _MAX_SHOWN - 1]}… ({len(got):,} characters)"
        )
        said = f"must be {want}, got '{shown}'" if got else f"is missing; it must be {want}"
        self.problems.append(f"line {line}: {self.label(key)} {said}")

    def quantity(self, key: str) -> int:
        raw = self.text(key)
        # Leading zeros off and digits counted before int(): Python refuses thousands of them.
        digits = raw.lstrip("0") or "0"
        if not _WHOLE.fullmatch(raw) or digits == "0":
            self.problem(key, "a whole number above 0", raw)
        elif len(digits) > len(str(MAX_QUANTITY)) or int(digits) > MAX_QUANTITY:
            self.problem(key, f"at most {MAX_QUANTITY:,}", raw)
        else:
            return int(digits)
        return 0

    def money(self, key: str) -> Decimal:
        raw = self.text(key)
        try:
            amount = Decimal(raw or "0")
        except InvalidOperation:
            amount = Decimal("NaN")
        if amount.is_finite() and amount >= 0:
            return amount
        self.problem(key, "an amount of 0 or more, like 12.50", raw)
        return Decimal("0")

    def flag(self, key: str, default: bool) -> bool:
        raw = self.text(key)
        if raw.lower() in ("true", "yes", "1"):
            return True
        if raw.lower() in ("false", "no", "0"):
            return False
        if raw:
            self.problem(key, "true or false", raw)
        return default

    def integer(self, key: str) -> int:
        raw = self.text(key)
        if raw and not _SIGNED.fullmatch(raw):
            self.problem(key, "a whole number", raw)
            return 0
        return int(raw or "0")

    def moment(self, key: str) -> datetime | None:
        raw = self.text(key)
        if not raw:
            return None
        try:
            when = datetime.strptime(raw, _SHOPIFY_TIME)
        except ValueError:
            try:
                when = datetime.fromisoformat(raw)
            except ValueError:
                self.problem(key, "a date and time like 2024-03-05T14:22:00+01:00", raw)
                return None
        # A time without an offset is UTC, as docs/order-formats.md promises.
        return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _line(fields: _Fields) -> LineDraft:
    requires_shipping = fields.flag("requires_shipping", True)
    # A blank SKU is kept as it is: gift cards ship nothing, and a custom item or a product
    # since deleted from the shop has none. Verification holds the order if the line ships.
    return LineDraft(
        sku=fields.text("sku"),
        quantity=fields.quantity("quantity"),
        name=fields.text("name"),
        unit_price=fields.money("unit_price"),
        requires_shipping=requires_shipping,
        fulfilled_before=fields.flag("fulfilled_before", False),
    )


def _draft(
    source: str,
    number: str,
    order: _Fields,
    lines: list[_Fields],
    problems: list[str],
    line_no: int,
) -> _Item:
    """One order from its fields, or its rejection naming the problems found (the first few)."""
    address = {key: order.text(f"ship_{key}") for key in ADDRESS_FIELDS}
    # Spreadsheets (and Shopify) write '02134 so that the leading zero survives.
    address["postal_code"] = address["postal_code"].removeprefix("'").strip()
    address["country"] = address["country"].upper()
    draft = OrderDraft(
        number=number,
        source=source,
        line_no=line_no,
        lines=tuple(_line(fields) for fields in lines),
        ship_to=AddressDraft(**address),
        email=order.text("email"),
        customer_name=order.text("customer_name"),
        placed_at=order.moment("placed_at"),
        ship_by=order.moment("ship_by"),
        priority=order.integer("priority"),
        carrier=order.text("carrier"),
        service=order.text("service"),
        payment_status=normalise_payment_status(order.text("payment_status")),
        currency=order.text("currency").upper(),
        total=order.money("total"),
        note=order.text("note"),
    )
    if not lines and not problems:
        problems.append(f"line {line_no}: order {number} has no line items")
    if not problems:
        return draft
    reason = "; ".join(problems[:_MAX_PROBLEMS])
    if len(problems) > _MAX_PROBLEMS:
        reason += f"; and {len(problems) - _MAX_PROBLEMS} more"
    return RejectedOrder(line_no, reason, number or None)


def _again(number: str, line_no: int, first: int, rule: str) -> RejectedOrder:
    return RejectedOrder(
        line_no,
        f"order {number} appears again at line {line_no} (first at line {first}); {rule}",
        number,
    )


# --- CSV formats: one row per line item, the rows of one order together ---------------------------


def _groups(
    rows: Iterator[Row], column: str, title: str
) -> Iterator[tuple[str, list[Row]] | RejectedOrder]:
    """The rows of each order in turn, given out as soon as the next order's row is read."""
    seen: dict[str, int] = {}  # order number -> first line; the only state that grows with the file
    number, last_line, gave = "", 1, False
    group: list[Row] = []
    skipping = False  # inside an order that came back after other orders
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except FileUnusable as exc:
            if not gave:
                raise
            # Orders already went out, so "nothing was read" no longer holds: report and stop.
            if group:
                yield RejectedOrder(
                    group[0].line_no, f"{exc} Order {number} is incomplete.", number
                )
            else:
                yield RejectedOrder(last_line + 1, str(exc))
            return
        last_line, found = row.line_no, row.get(column).strip()
        if not found:
            gave = True
            reason = f"line {row.line_no}: {title} is empty, so this row belongs to no order"
            yield RejectedOrder(row.line_no, reason)
        elif found == number:
            if not skipping:
                group.append(row)
        else:
            if group:
                gave = True
                yield number, group
            number, group, skipping = found, [row], found in seen
            if skipping:
                group, gave = [], True
                yield _again(found, row.line_no, seen[found], "its rows must be together")
            else:
                seen[found] = row.line_no
    if group:
        yield number, group


def _read_generic_csv(path: Path) -> Iterator[_Item]:
    rows = read_csv(path, required=("order_number", "sku", "quantity"))
    for group in _groups(rows, "order_number", "order_number"):
        yield group if isinstance(group, RejectedOrder) else _generic_order(*group)


def _generic_order(number: str, rows: list[Row]) -> _Item:
    problems: list[str] = []
    order: dict[str, str] = {}
    where: dict[str, int] = {}
    # An order's own columns may be on its first row only or on every row, but must agree.
    for row in rows:
        for key in ORDER_FIELDS:
            value = row.get(key).strip()
            if value and key not in order:
                order[key], where[key] = value, row.line_no
            elif value and value != order[key]:
                problems.append(
                    f"line {row.line_no}: {key} '{value}' differs from '{order[key]}' on line "
                    f"{where[key]}; every row of an order must give the same {key}"
                )
    order.setdefault("payment_status", "paid")
    lines = [
        _Fields({key: row.get(key) for key in LINE_FIELDS}, row.line_no, str, problems)
        for row in rows
    ]
    fields = _Fields(order, rows[0].line_no, str, problems, where)
    return _draft("csv", number, fields, lines, problems, rows[0].line_no)


def _read_shopify(path: Path) -> Iterator[_Item]:
    rows = read_csv(path, required=("Name", "Lineitem quantity", "Lineitem sku"))
    for group in _groups(rows, "name", "Name (the order number)"):
        yield group if isinstance(group, RejectedOrder) else _shopify_order(*group)


def _shopify_order(number: str, rows: list[Row]) -> _Item:
    # Shopify writes the order's own columns on its first row only; every row is a line item.
    first = rows[0]
    order = {key: first.get(column) for key, column in _SHOPIFY_ORDER.items()}
    order["customer_name"] = first.get("billing name").strip() or first.get("shipping name")
    order["ship_address1"] = first.get("shipping address1").strip() or first.get("shipping street")
    problems: list[str] = []
    lines = []
    for row in rows:
        values = {key: row.get(column) for key, column in _SHOPIFY_LINE.items()}
        shipped = row.get("lineitem fulfillment status").strip().lower() == "fulfilled"
        values["fulfilled_before"] = str(shipped)
        lines.append(_Fields(values, row.line_no, _shopify_title, problems))
    fields = _Fields(order, first.line_no, _shopify_title, problems)
    draft = _draft("shopify", number, fields, lines, problems, first.line_no)
    if isinstance(draft, RejectedOrder):
        return draft
    return dataclasses.replace(
        draft,
        cancelled=bool(first.get("cancelled at").strip()),
        # A "partial" order is not fulfilled: its unshipped lines still need picking.
        fulfilled=first.get("fulfillment status").strip().lower() == "fulfilled",
    )


def _shopify_title(key: str) -> str:
    return _SHOPIFY_TITLES.get(key, key)


# --- JSON: one top-level array of order objects, decoded one element at a time -------------------


class _Broken(Exception):
    """The JSON stops making sense here; nothing after it can be read."""

    def __init__(self, line_no: int, reason: str) -> None:
        super().__init__(reason)
        self.line_no, self.reason = line_no, reason


class _JsonText:
    """A window on a JSON file that grows chunk by chunk only as far as the next value needs."""

    def __init__(self, handle: TextIO) -> None:
        self._handle, self._text, self._pos, self._eof = handle, "", 0, False
        self.line = 1  # the file line of the window's current position
        # Money stays exact; whole numbers of any length and NaN or Infinity are read as
        # Decimal too, so that the field they are in says what is wrong with them.
        self._decoder = json.JSONDecoder(
            parse_float=Decimal, parse_int=Decimal, parse_constant=Decimal
        )

    def _more(self) -> None:
        chunk = "" if self._eof else self._handle.read(_JSON_CHUNK)
        self._eof = not chunk
        self._text, self._pos = self._text[self._pos :] + chunk, 0

    def _advance(self, end: int) -> None:
        self.line += self._text.count("\n", self._pos, end)
        self._pos = end

    def peek(self) -> str | None:
        """The next character that is not white space (None at the end), left in place."""
        while True:
            space = _JSON_SPACE.match(self._text, self._pos)
            self._advance(space.end() if space else self._pos)
            if self._pos < len(self._text):
                return self._text[self._pos]
            if self._eof:
                return None
            self._more()

    def take(self, expected: str, after: str) -> None:
        found = self.peek()
        if found != expected:
            got = "the end of the file" if found is None else f"'{found}'"
            said = f"line {self.line}: expected '{expected}'{after}, got {got}"
            raise _Broken(self.line, said)
        self._advance(self._pos + 1)

    def value(self) -> tuple[int, object]:
        """The next JSON value, and the line it starts on; _Unreadable for a value that is
        valid JSON but cannot be decoded (nested too deep, a number out of range)."""
        self.peek()
        start = self.line
        while True:
            try:
                value, end = self._decoder.raw_decode(self._text, self._pos)
            except json.JSONDecodeError as exc:
                if self._eof:
                    line = self.line + self._text.count("\n", self._pos, exc.pos)
                    reason = f"the order starting on line {start} is not valid JSON"
                    raise _Broken(start, f"line {line}: {reason} ({exc.msg})") from None
            except RecursionError:
                return start, self._skip(start, "nests lists or objects too deeply to be read")
            except (ValueError, ArithmeticError):
                return start, self._skip(start, "holds a number that cannot be read")
            else:
                # A number at the end of the window may go on in the next chunk.
                if end < len(self._text) or self._eof:
                    self._advance(end)
                    return start, value
            self._grow(start)

    def _grow(self, start: int) -> None:
        if len(self._text) - self._pos > _MAX_JSON_ORDER:
            size = f"{_MAX_JSON_ORDER >> 20} MB"
            raise _Broken(start, f"the order starting on line {start} is over {size} or broken")
        self._more()

    def _skip(self, start: int, reason: str) -> _Unreadable:
        """Step over a value the decoder gave up on, so that the orders after it are read."""
        while (end := _value_end(self._text, self._pos, self._eof)) is None:
            if self._eof:
                said = f"the order starting on line {start} is not valid JSON ({reason})"
                raise _Broken(start, f"line {start}: {said}")
            self._grow(start)
        self._advance(end)
        return _Unreadable(f"line {start}: this order {reason}")


@dataclasses.dataclass(frozen=True)
class _Unreadable:
    """A value in the file that is valid JSON but cannot be decoded."""

    reason: str


# A whole string, a lone quote (a string the text cuts off), a bracket, or anything else.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|"|[\[\]{}]|[^"\[\]{}]+')
_JSON_SCALAR = re.compile(r"[^,\]}\s]*")


def _value_end(text: str, pos: int, eof: bool) -> int | None:
    """Where the JSON value starting at `pos` ends, found by counting brackets (no recursion,
    however deep it nests); None if the text stops first."""
    if text[pos] not in "[{":
        scalar = _JSON_SCALAR.match(text, pos)
        end = scalar.end() if scalar else pos
        return end if end < len(text) or eof else None
    depth = 0
    for token in _JSON_TOKEN.finditer(text, pos):
        mark = token.group()
        if mark in ("[", "{"):
            depth += 1
        elif mark in ("]", "}"):
            depth -= 1
            if depth == 0:
                return token.end()
        elif mark == '"':
            return None
    return None


def _json_values(path: Path) -> Iterator[tuple[int, object]]:
    """(line, value) for each element of the file's top-level array, read as it goes."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        text = _JsonText(handle)
        if text.peek() is None:
            raise FileUnusable(f"{path.name} is empty: expected a JSON list of orders.")
        if text.peek() != "[":
            raise FileUnusable(f"{path.name} is not a JSON list of orders: it must start with '['.")
        text.take("[", "")
        if text.peek() == "]":
            text.take("]", "")
        else:
            while True:
                start, value = text.value()
                yield start, value
                if text.peek() != ",":
                    text.take("]", f" or ',' after the order starting on line {start}")
                    break
                text.take(",", "")
        if text.peek() is not None:
            raise _Broken(text.line, f"line {text.line}: there is more text after the closing ']'")


def _read_json(path: Path) -> Iterator[_Item]:
    check_readable_utf8(path)
    seen: dict[str, int] = {}
    gave = False
    try:
        for line_no, value in _json_values(path):
            order = (
                RejectedOrder(line_no, value.reason)
                if isinstance(value, _Unreadable)
                else _json_order(line_no, value)
            )
            if order.number is not None and order.number in seen:
                order = _again(order.number, line_no, seen[order.number], "each order once only")
            elif order.number is not None:
                seen[order.number] = line_no
            gave = True
            yield order
    except _Broken as exc:
        if not gave:
            raise FileUnusable(f"{path.name}: {exc.reason}.") from None
        yield RejectedOrder(exc.line_no, f"{exc.reason}; reading stopped there")


def _kind(value: object) -> str:
    kinds = {dict: "an object {...}", list: "a list [...]", bool: "true/false", type(None): "null"}
    return kinds.get(type(value), "text or a number")


def _json_cells(
    found: object, keys: tuple[str, ...], label: _Label, line_no: int, problems: list[str]
) -> dict[str, str] | None:
    """A JSON object's scalars as the text CSV cells would hold; other kinds are problems."""
    if not isinstance(found, dict):
        problems.append(
            f"line {line_no}: {label('')} must be an object {{...}}, got {_kind(found)}"
        )
        return None
    cells: dict[str, str] = {}
    for key in keys:
        value = found.get(key)
        flag = key == "requires_shipping"
        if isinstance(value, str) and not value.isascii() and _UNPAIRED.search(value):
            problems.append(f"line {line_no}: {label(key)} holds a broken \\u escape")
        elif isinstance(value, str | int | Decimal) and (flag or not isinstance(value, bool)):
            cells[key] = str(value)
        elif value is not None:
            want = "true or false" if flag else "text or a number"
            problems.append(f"line {line_no}: {label(key)} must be {want}, got {_kind(value)}")
    return cells


def _json_order(line_no: int, found: object) -> _Item:
    problems: list[str] = []
    if not isinstance(found, dict):
        return RejectedOrder(
            line_no, f"line {line_no}: each order must be an object {{...}}, got {_kind(found)}"
        )
    order = _json_cells(found, _JSON_ORDER, str, line_no, problems) or {}
    number = order.get("order_number", "").strip()
    if not number and (found.get("order_number") is None or "order_number" in order):
        problems.insert(0, f"line {line_no}: order_number is missing")
    if found.get("ship_to") is not None:
        ship_to = _json_cells(
            found["ship_to"], ADDRESS_FIELDS, _under("ship_to"), line_no, problems
        )
        order.update({f"ship_{key}": value for key, value in (ship_to or {}).items()})
    order["payment_status"] = order.get("payment_status") or "paid"
    items = found.get("lines")
    if not isinstance(items, list):
        problems.append(f"line {line_no}: lines must be a list [...] of items, got {_kind(items)}")
        items = []
    lines = []
    for index, item in enumerate(items):
        label = _under(f"lines[{index}]")
        cells = _json_cells(item, LINE_FIELDS, label, line_no, problems)
        if cells is not None:
            lines.append(_Fields(cells, line_no, label, problems))
    fields = _Fields(order, line_no, str, problems)
    return _draft("json", number, fields, lines, problems, line_no)


def _under(path: str) -> _Label:
    """How messages name the JSON object at `path` and its keys."""
    return lambda key: f"{path}.{key}" if key else path
