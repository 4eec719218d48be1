"""The carrier book (resources/carriers.toml) and the tracking number a closed carton gets."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from app.domain.carriers import CarrierBook, CarrierService
from app.printing.tracking import SCHEMES
from app.services.errors import InvalidInput, NotFound

CARRIERS_FILE = Path(__file__).resolve().parents[3] / "resources" / "carriers.toml"


def carrier_book(path: Path | None = None) -> CarrierBook:
    """The carrier book in `path` (default: the shipped one), read again when the file changes.

    InvalidInput names the file and what is wrong with it; NotFound when there is no file.
    """
    path = CARRIERS_FILE if path is None else path
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise NotFound(f"the carrier book {path} does not exist") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path.name}: {exc.strerror}") from None
    return _load(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int, size: int) -> CarrierBook:
    """The book parsed and checked once per version of its file (mtime and size key it)."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path.name} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path.name}: {exc.strerror}") from None
    try:
        book = CarrierBook.from_dict(data, SCHEMES.keys())
    except ValueError as exc:
        raise InvalidInput(f"{path.name}: {exc}") from None
    # Every service must make valid numbers now, not at the first carton it labels.
    for service in book.services():
        for serial in (0, 10**service.serial_digits - 1):
            try:
                tracking_number(service, serial)
            except InvalidInput as exc:
                raise InvalidInput(f"{path.name}: {exc.message}") from None
    return book


def tracking_number(choice: CarrierService, serial: int) -> str:
    """The tracking number of carton `serial` for `choice`, its check digit in place.

    A serial wider than the number template holds is taken modulo 10**width (after adding the
    carrier's first_serial): the carrier's scheme fixes the number's length, so the number
    wraps round instead of growing into one the carrier and the scanners would refuse.
    """
    where = f"carrier {choice.carrier!r} service {choice.service!r}"
    scheme = SCHEMES.get(choice.scheme)
    if scheme is None:
        known = ", ".join(sorted(SCHEMES))
        raise InvalidInput(f"{where}: unknown tracking scheme {choice.scheme!r} (known: {known})")
    try:
        number = scheme.complete(choice.number_without_check(serial))
    except ValueError as exc:
        raise InvalidInput(
            f"{where}: no tracking number for carton serial {serial!r}: {exc}"
        ) from None
    if not scheme.is_valid(number):
        raise InvalidInput(
            f"{where}: the number template makes {number!r}, which is not a valid "
            f"{scheme.name!r} tracking number (one looks like {scheme.example})"
        )
    return number


def assign_carrier(
    book: CarrierBook,
    requested_carrier: str,
    requested_service: str,
    country: str,
    weight_g: int,
    serial: int,
) -> tuple[CarrierService, str]:
    """The carrier service the book's rules give a closed carton, and its tracking number."""
    try:
        choice = book.choose(requested_carrier, requested_service, country, weight_g)
    except (LookupError, ValueError) as exc:
        raise InvalidInput(str(exc)) from None
    return choice, tracking_number(choice, serial)
