"""Carriers, their services and the rules that choose one for a closed carton."""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from app.domain.dispatch import PickupSchedule

_BOOK_FIELDS = frozenset({"carrier", "rule"})
_CARRIER_FIELDS = frozenset(
    {
        "name",
        "aliases",
        "scheme",
        "number",
        "first_serial",
        "services",
        "account",
        "pickup",
        "tracking_url",
    }
)
_SERVICE_FIELDS = frozenset({"name", "code", "max_weight_g"})
_RULE_CONDITIONS = frozenset({"carrier", "service", "countries", "min_weight_g", "max_weight_g"})
_RULE_FIELDS = _RULE_CONDITIONS | {"use_carrier", "use_service"}
_TEMPLATE_FIELDS = frozenset({"serial", "service_code"})
# Zero-padded to a fixed width: a carrier's scheme checks the length of the whole number.
_SERIAL_SPEC = re.compile(r"0(?P<digits>[1-9]\d?)d")
_COUNTRY = re.compile(r"[A-Z]{2}")
_NUMBER_CHARACTERS = re.compile(r"[0-9A-Z]+")


def _folded(text: str) -> str:
    """Case and runs of spaces ignored: shops spell carrier and service names their own way."""
    return " ".join(text.split()).casefold()


def _template_fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _serial_digits(template: str) -> int:
    """How many digits of the serial `template` holds; ValueError saying what is wrong."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"{template!r} is not a valid template ({exc})") from None
    digits: list[int] = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in _TEMPLATE_FIELDS or conversion is not None:
            known = ", ".join(f"{{{n}}}" for n in sorted(_TEMPLATE_FIELDS))
            raise ValueError(f"{template!r} uses {{{name}}}; a template may use {known}")
        if name == "serial":
            match = _SERIAL_SPEC.fullmatch(spec or "")
            if match is None:
                raise ValueError(
                    f"{template!r} writes the serial as {{serial:{spec}}}; write it zero-padded "
                    "to a fixed width, such as {serial:07d}, so every number has the same length"
                )
            digits.append(int(match["digits"]))
    if len(digits) != 1:
        raise ValueError(
            f"{template!r} must hold the carton serial exactly once, such as {{serial:07d}}"
        )
    return digits[0]


@dataclass(frozen=True)
class CarrierService:
    """One service of one carrier, with everything needed to number a carton's label."""

    carrier: str
    service: str
    scheme: str
    service_code: str
    number_template: str
    max_weight_g: int | None = None
    first_serial: int = 0

    @property
    def serial_digits(self) -> int:
        """How many digits of the carton serial the tracking number holds."""
        return _serial_digits(self.number_template)

    def carries(self, weight_g: int) -> bool:
        """Whether the service takes a carton of `weight_g` grams."""
        return self.max_weight_g is None or weight_g <= self.max_weight_g

    def number_without_check(self, serial: int) -> str:
        """The tracking number of carton `serial`, without the check digit its scheme adds.

        The serial is counted from first_serial and taken modulo 10**serial_digits: a carrier's
        scheme fixes the length of its numbers, so a serial wider than the template wraps round
        instead of making a number the carrier would refuse. The serial is the carton's own
        number, counted over every carton of the warehouse, so a number could come round again
        after 10**serial_digits cartons; closing a carton refuses a number already in use.
        """
        if isinstance(serial, bool) or not isinstance(serial, int) or serial < 0:
            raise ValueError(f"a carton serial is a whole number of at least 0, not {serial!r}")
        wrapped = (self.first_serial + serial) % 10**self.serial_digits
        return self.number_template.format(serial=wrapped, service_code=self.service_code)


@dataclass(frozen=True)
class Carrier:
    """A carrier as labels print it, the other names orders give it, and its services."""

    name: str
    aliases: tuple[str, ...]
    scheme: str
    number_template: str
    services: tuple[CarrierService, ...]
    first_serial: int = 0
    account: str = ""  # the warehouse's account with the carrier, printed on manifests
    pickup: PickupSchedule = field(default_factory=PickupSchedule)  # the driver, by weekday
    tracking_url: str = ""  # where a customer follows a parcel: {tracking_number} goes in it

    def tracking_link(self, tracking_number: str) -> str:
        """The carrier's page for one parcel, or "" when the carrier book names none."""
        if not self.tracking_url or not tracking_number:
            return ""
        return self.tracking_url.format(tracking_number=quote(tracking_number, safe=""))

    def answers_to(self, requested: str) -> bool:
        """Whether an order asking for `requested` means this carrier."""
        wanted = _folded(requested)
        return bool(wanted) and wanted in {_folded(n) for n in (self.name, *self.aliases)}

    def service(self, name: str) -> CarrierService | None:
        """The service printed as `name` (case and spacing ignored), or None."""
        wanted = _folded(name)
        return next((s for s in self.services if _folded(s.service) == wanted), None)


@dataclass(frozen=True)
class Rule:
    """One rule of the carrier book: when it applies, and which service it gives."""

    position: int  # 1 for the first rule in the file
    use: CarrierService
    carrier: re.Pattern[str] | None = None
    service: re.Pattern[str] | None = None
    countries: frozenset[str] | None = None
    min_weight_g: int | None = None
    max_weight_g: int | None = None

    @property
    def takes_everything(self) -> bool:
        """No condition, and a service without a weight limit: no carton gets past this rule."""
        conditions = (self.carrier, self.service, self.countries)
        weights = (self.min_weight_g, self.max_weight_g, self.use.max_weight_g)
        return all(c is None for c in conditions) and all(w is None for w in weights)

    def matches(
        self, carrier_names: Collection[str], service: str, country: str, weight_g: int
    ) -> bool:
        """Whether the rule applies; `carrier_names`: the order's carrier as written and as known.

        A rule whose service cannot carry the carton does not apply: the carrier would refuse
        the parcel, so the next rule gets the chance.
        """
        if self.carrier is not None and not any(self.carrier.fullmatch(n) for n in carrier_names):
            return False
        if self.service is not None and not self.service.search(service):
            return False
        if self.countries is not None and country not in self.countries:
            return False
        if self.min_weight_g is not None and weight_g < self.min_weight_g:
            return False
        if self.max_weight_g is not None and weight_g > self.max_weight_g:
            return False
        return self.use.carries(weight_g)

    def describe(self) -> str:
        """The rule in one line, e.g. 'rule 3 (UPS STANDARD)'."""
        return f"rule {self.position} ({self.use.carrier} {self.use.service})"


@dataclass(frozen=True)
class CarrierBook:
    """The carriers Baton labels cartons for and the ordered rules that pick a service."""

    carriers: tuple[Carrier, ...]
    rules: tuple[Rule, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], known_schemes: Collection[str]) -> CarrierBook:
        """The book from parsed TOML; ValueError naming the entry and field that is wrong."""
        return _Parser(known_schemes).book(data)

    def carrier(self, name: str) -> Carrier | None:
        """The carrier called `name` or one of its aliases (case and spacing ignored), or None."""
        return next((c for c in self.carriers if c.answers_to(name)), None)

    def services(self) -> tuple[CarrierService, ...]:
        """Every service of every carrier, in file order."""
        return tuple(s for c in self.carriers for s in c.services)

    def rule_for(
        self, requested_carrier: str, requested_service: str, country: str, weight_g: int
    ) -> Rule:
        """The first rule that applies to the carton; LookupError when none does."""
        if isinstance(weight_g, bool) or not isinstance(weight_g, int) or weight_g < 0:
            raise ValueError(f"a carton weight is whole grams of at least 0, not {weight_g!r}")
        carrier = " ".join(requested_carrier.split())
        known = self.carrier(carrier)
        names = {carrier} if known is None else {carrier, known.name}
        service = " ".join(requested_service.split())
        destination = country.strip().upper()
        for rule in self.rules:
            if rule.matches(names, service, destination, weight_g):
                return rule
        raise LookupError(
            f"no carrier rule applies to a {weight_g} g carton for {destination or '(no country)'}"
            f" with carrier {carrier!r} and service {service!r}; the carrier book needs a last "
            "rule without conditions"
        )

    def choose(
        self, requested_carrier: str, requested_service: str, country: str, weight_g: int
    ) -> CarrierService:
        """The carrier service for a carton: the first rule that applies decides."""
        return self.rule_for(requested_carrier, requested_service, country, weight_g).use


class _Parser:
    """Checks every entry of a carrier book as it builds it."""

    def __init__(self, known_schemes: Collection[str]) -> None:
        self.known_schemes = known_schemes

    def book(self, data: Mapping[str, Any]) -> CarrierBook:
        if not isinstance(data, Mapping):
            raise ValueError(f"a carrier book is a table, not {_kind(data)}")
        _no_unknown_fields(data, _BOOK_FIELDS, "the carrier book")
        carriers: list[Carrier] = []
        for position, entry in enumerate(_tables(data, "carrier", "the carrier book"), start=1):
            carrier = self.carrier(entry, position)
            for earlier in carriers:
                clash = next(
                    (n for n in (carrier.name, *carrier.aliases) if earlier.answers_to(n)), None
                )
                if clash is not None:
                    raise ValueError(
                        f"{_carrier_where(position, carrier.name)}: the name {clash!r} is "
                        f"already used by carrier {earlier.name!r}"
                    )
            carriers.append(carrier)
        rules: list[Rule] = []
        for position, entry in enumerate(_tables(data, "rule", "the carrier book"), start=1):
            if rules and rules[-1].takes_everything:
                raise ValueError(
                    f"rule {position} can never apply: {rules[-1].describe()} before it takes "
                    "every carton (move the catch-all rule to the end)"
                )
            rules.append(self.rule(entry, position, carriers))
        return CarrierBook(tuple(carriers), tuple(rules))

    def carrier(self, entry: Mapping[str, Any], position: int) -> Carrier:
        where = _carrier_where(position, entry.get("name"))
        _no_unknown_fields(entry, _CARRIER_FIELDS, where)
        name = _text(entry, "name", where)
        aliases = _texts(entry, "aliases", where)
        scheme = _text(entry, "scheme", where)
        if scheme not in self.known_schemes:
            known = ", ".join(sorted(self.known_schemes))
            raise ValueError(f"{where}, field 'scheme': unknown scheme {scheme!r} (known: {known})")
        template = _text(entry, "number", where)
        try:
            _serial_digits(template)
        except ValueError as exc:
            raise ValueError(f"{where}, field 'number': {exc}") from None
        first_serial = _whole_number(entry, "first_serial", where) or 0
        services: list[CarrierService] = []
        for index, raw in enumerate(_tables(entry, "services", where), start=1):
            service_where = f"{where}, service {index}"
            if isinstance(raw.get("name"), str):
                service_where += f" ({raw['name']!r})"
            _no_unknown_fields(raw, _SERVICE_FIELDS, service_where)
            service = CarrierService(
                carrier=name,
                service=_text(raw, "name", service_where),
                scheme=scheme,
                service_code=_text(raw, "code", service_where, required=False),
                number_template=template,
                max_weight_g=_whole_number(raw, "max_weight_g", service_where, least=1),
                first_serial=first_serial,
            )
            if not service.service_code and "service_code" in _template_fields(template):
                raise ValueError(
                    f"{service_where}: missing field 'code' (the carrier's number uses "
                    "{service_code})"
                )
            if any(_folded(s.service) == _folded(service.service) for s in services):
                raise ValueError(f"{service_where}: the carrier lists this service twice")
            number = service.number_without_check(0)
            if not _NUMBER_CHARACTERS.fullmatch(number):
                raise ValueError(
                    f"{service_where}, fields 'number' and 'code': the number comes out as "
                    f"{number!r}; tracking numbers hold capital letters and digits only"
                )
            services.append(service)
        account = _text(entry, "account", where, required=False)
        pickup = (
            PickupSchedule.parse(entry["pickup"], f"{where}, field 'pickup'")
            if "pickup" in entry
            else PickupSchedule()
        )
        tracking_url = _text(entry, "tracking_url", where, required=False)
        if tracking_url:
            _check_tracking_url(tracking_url, f"{where}, field 'tracking_url'")
        return Carrier(
            name,
            aliases,
            scheme,
            template,
            tuple(services),
            first_serial,
            account,
            pickup,
            tracking_url,
        )

    def rule(self, entry: Mapping[str, Any], position: int, carriers: list[Carrier]) -> Rule:
        where = f"rule {position}"
        _no_unknown_fields(entry, _RULE_FIELDS, where)
        use_carrier = _text(entry, "use_carrier", where)
        carrier = next((c for c in carriers if c.answers_to(use_carrier)), None)
        if carrier is None:
            known = ", ".join(c.name for c in carriers)
            raise ValueError(
                f"{where}, field 'use_carrier': no carrier {use_carrier!r} (known: {known})"
            )
        use_service = _text(entry, "use_service", where)
        service = carrier.service(use_service)
        if service is None:
            known = ", ".join(s.service for s in carrier.services)
            raise ValueError(
                f"{where}, field 'use_service': {carrier.name} has no service {use_service!r} "
                f"(its services: {known})"
            )
        countries: frozenset[str] | None = None
        if "countries" in entry:
            codes = _texts(entry, "countries", where)
            if not codes:
                raise ValueError(
                    f"{where}, field 'countries': the list is empty (leave it out for any country)"
                )
            wrong = [c for c in codes if not _COUNTRY.fullmatch(c.strip().upper())]
            if wrong:
                raise ValueError(
                    f"{where}, field 'countries': {wrong[0]!r} is not a two-letter ISO country "
                    'code such as "DE"'
                )
            countries = frozenset(c.strip().upper() for c in codes)
        least = _whole_number(entry, "min_weight_g", where)
        most = _whole_number(entry, "max_weight_g", where)
        if least is not None and most is not None and least > most:
            raise ValueError(f"{where}: min_weight_g {least} is above max_weight_g {most}")
        if least is not None and not service.carries(least):
            raise ValueError(
                f"{where}, field 'min_weight_g': {service.carrier} {service.service} carries at "
                f"most {service.max_weight_g} g, so the rule could never apply"
            )
        return Rule(
            position=position,
            use=service,
            carrier=_pattern(entry, "carrier", where),
            service=_pattern(entry, "service", where),
            countries=countries,
            min_weight_g=least,
            max_weight_g=most,
        )


def _check_tracking_url(url: str, where: str) -> None:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"{where}: a web address starting https://, not {url!r}")
    try:
        fields = _template_fields(url)
    except ValueError:
        fields = {"?"}
    if fields != {"tracking_number"}:
        raise ValueError(
            f"{where}: the address must hold {{tracking_number}} once and no other field "
            f"in braces, not {url!r}"
        )


def _carrier_where(position: int, name: object) -> str:
    return f"carrier {position} ({name!r})" if isinstance(name, str) else f"carrier {position}"


def _kind(value: object) -> str:
    names = {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list"}
    return names.get(type(value), type(value).__name__)


def _no_unknown_fields(entry: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    unknown = sorted(str(key) for key in entry if key not in known)
    if unknown:
        raise ValueError(
            f"{where}: unknown field {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )


def _tables(entry: Mapping[str, Any], field: str, where: str) -> list[Mapping[str, Any]]:
    if field not in entry:
        raise ValueError(f"{where}: missing field {field!r}")
    value = entry[field]
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where}, field {field!r}: must be a non-empty list of tables")
    for index, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            raise ValueError(
                f"{where}, field {field!r}: entry {index} is {_kind(item)}, not a table"
            )
    return value


def _text(entry: Mapping[str, Any], field: str, where: str, *, required: bool = True) -> str:
    if field not in entry:
        if required:
            raise ValueError(f"{where}: missing field {field!r}")
        return ""
    value = entry[field]
    if not isinstance(value, str):
        raise ValueError(f"{where}, field {field!r}: must be text, not {_kind(value)}")
    if required and not value.strip():
        raise ValueError(f"{where}, field {field!r}: must not be empty")
    return value.strip()


def _texts(entry: Mapping[str, Any], field: str, where: str) -> tuple[str, ...]:
    value = entry.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where}, field {field!r}: must be a list of non-empty texts")
    return tuple(v.strip() for v in value)


def _whole_number(
    entry: Mapping[str, Any], field: str, where: str, *, least: int = 0
) -> int | None:
    if field not in entry:
        return None
    value = entry[field]
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(
            f"{where}, field {field!r}: must be a whole number of at least {least}, not {value!r}"
        )
    return value


def _pattern(entry: Mapping[str, Any], field: str, where: str) -> re.Pattern[str] | None:
    if field not in entry:
        return None
    value = entry[field]
    if not isinstance(value, str):
        raise ValueError(f"{where}, field {field!r}: must be text, not {_kind(value)}")
    try:
        return re.compile(value.strip(), re.IGNORECASE)
    except re.error as exc:
        raise ValueError(
            f"{where}, field {field!r}: {value!r} is not a valid regular expression ({exc})"
        ) from None
