"""Operators: registration rules, PINs kept only as salted hashes, and badge + PIN login."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Operator
from app.domain.roles import Role
from app.services.actor import Actor, require_active
from app.services.errors import InvalidInput, NotAllowed, NotFound, OperatorDisabled
from app.services.masterdata.operators import (
    OperatorInfo,
    add_operator,
    badge_login,
    check_pin,
    find_operator,
    list_operators,
    set_active,
)

SUPERVISOR = Actor.command_line()
PICKER = Actor(operator_id=7, name="Pia Picker", role=Role.PICKER, station="cart 3")
NOT_RECOGNISED = "Badge or PIN not recognised."


def add(
    db: Database, badge: str, name: str, role: Role, pin: str, actor: Actor = SUPERVISOR
) -> OperatorInfo:
    with unit_of_work(db.sessions) as session:
        return add_operator(session, actor, badge, name, role, pin)


def login(db: Database, badge: str, pin: str) -> OperatorInfo:
    with db.sessions() as session:
        return check_pin(session, badge, pin).accepted()


def stored_hashes(db: Database) -> dict[str, str]:
    with db.sessions() as session:
        return dict(session.execute(select(Operator.badge, Operator.pin_hash)).all())


def test_added_operator_is_listed_without_the_pin(db: Database) -> None:
    info = add(db, "B100", "Ana Silva", Role.PICKER, "2468")
    assert (info.badge, info.name, info.role, info.active) == (
        "B100",
        "Ana Silva",
        Role.PICKER,
        True,
    )
    add(db, "B200", "Ben Okafor", Role.SUPERVISOR, "13579")
    with db.sessions() as session:
        listed = list_operators(session)
    assert [(o.badge, o.name, o.role) for o in listed] == [
        ("B100", "Ana Silva", Role.PICKER),
        ("B200", "Ben Okafor", Role.SUPERVISOR),
    ]
    assert "2468" not in repr(listed) and "scrypt" not in repr(listed)


def test_pin_is_stored_only_as_a_salted_hash(db: Database) -> None:
    add(db, "B100", "Ana Silva", Role.PICKER, "24682468")
    add(db, "B101", "Carl Weber", Role.PACKER, "24682468")
    hashes = stored_hashes(db)
    for stored in hashes.values():
        assert "24682468" not in stored
    # The same PIN gives two different hashes: each has its own salt.
    assert hashes["B100"] != hashes["B101"]
    assert login(db, "B100", "24682468").badge == "B100"
    assert login(db, "B101", "24682468").badge == "B101"


def test_right_pin_logs_in(db: Database) -> None:
    add(db, "B100", "Ana Silva", Role.SORTER, "0042")
    info = login(db, "B100", "0042")
    assert (info.badge, info.name, info.role) == ("B100", "Ana Silva", Role.SORTER)


@pytest.mark.parametrize(
    ("badge", "pin"),
    [
        ("B100", "0043"),  # wrong PIN
        ("B100", "042"),  # leading zero dropped
        ("B100", "00420"),
        ("B100", ""),
        ("B999", "0042"),  # unknown badge
        ("b100", "0042"),  # badges are exact
        ("", ""),
    ],
)
def test_wrong_pin_and_unknown_badge_get_the_same_message(
    db: Database, badge: str, pin: str
) -> None:
    add(db, "B100", "Ana Silva", Role.SORTER, "0042")
    with pytest.raises(NotFound) as caught:
        login(db, badge, pin)
    assert caught.value.message == NOT_RECOGNISED


def test_inactive_operator_cannot_log_in(db: Database) -> None:
    add(db, "B100", "Ana Silva", Role.PICKER, "2468")
    with unit_of_work(db.sessions) as session:
        session.execute(update(Operator).where(Operator.badge == "B100").values(active=False))
    with pytest.raises(NotFound) as caught:
        login(db, "B100", "2468")
    assert caught.value.message == NOT_RECOGNISED  # the PIN form tells nothing more
    with db.sessions() as session, pytest.raises(OperatorDisabled) as disabled:
        find_operator(session, "B100")
    assert disabled.value.message == "B100 is disabled; a supervisor can enable the badge."


def test_find_operator_by_badge(db: Database) -> None:
    add(db, "B100", "Ana Silva", Role.SHIPPER, "2468")
    with db.sessions() as session:
        assert find_operator(session, "B100").name == "Ana Silva"
        with pytest.raises(NotFound, match="B404"):
            find_operator(session, "B404")


def test_badge_must_be_unique(db: Database) -> None:
    add(db, "B100", "Ana Silva", Role.PICKER, "2468")
    with pytest.raises(InvalidInput, match="Badge B100 already belongs to an operator"):
        add(db, "B100", "Someone Else", Role.PACKER, "1357")
    with pytest.raises(InvalidInput, match="Badge B100 already"):
        add(db, "  B100 ", "Someone Else", Role.PACKER, "1357")
    with db.sessions() as session:
        assert [(o.badge, o.name) for o in list_operators(session)] == [("B100", "Ana Silva")]
    assert login(db, "B100", "2468").name == "Ana Silva"


@pytest.mark.parametrize(
    "pin", ["", "123", "123456789", "12a4", "12 34", "-1234", "1234 ", "١٢٣٤", "１２３４", "12.4"]
)
def test_pin_must_be_4_to_8_ascii_digits(db: Database, pin: str) -> None:
    with pytest.raises(InvalidInput, match="A PIN is 4 to 8 digits"):
        add(db, "B100", "Ana Silva", Role.PICKER, pin)
    assert stored_hashes(db) == {}


@pytest.mark.parametrize("pin", ["0000", "1234", "12345678"])
def test_pins_of_4_to_8_digits_are_accepted(db: Database, pin: str) -> None:
    add(db, "B100", "Ana Silva", Role.PICKER, pin)
    assert login(db, "B100", pin).badge == "B100"


@pytest.mark.parametrize(
    ("badge", "name", "words"),
    [
        ("", "Ana Silva", "A badge is 1 to 40 characters"),
        ("B 100", "Ana Silva", "A badge is 1 to 40 characters"),
        ("B" * 41, "Ana Silva", "A badge is 1 to 40 characters"),
        ("B\x00100", "Ana Silva", "A badge is 1 to 40 characters"),
        ("B100", "   ", "An operator needs a name"),
        ("B100", "A" * 121, "120 characters"),
        ("B100", "Ana\x00Silva", "control characters"),
    ],
)
def test_badge_and_name_rules(db: Database, badge: str, name: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        add(db, badge, name, Role.PICKER, "2468")
    assert stored_hashes(db) == {}


def test_badge_and_name_are_trimmed_and_unicode_names_kept(db: Database) -> None:
    info = add(db, " B100 ", "  Zoë Ångström-Łukasiewicz 東京 ", Role.PACKER, "2468")
    assert (info.badge, info.name) == ("B100", "Zoë Ångström-Łukasiewicz 東京")
    assert login(db, "B100", "2468").name == "Zoë Ångström-Łukasiewicz 東京"


def test_only_a_supervisor_adds_operators(db: Database) -> None:
    with pytest.raises(NotAllowed):
        add(db, "B100", "Ana Silva", Role.SUPERVISOR, "2468", actor=PICKER)
    assert stored_hashes(db) == {}
    floor_supervisor = Actor(
        operator_id=1, name="Sam Super", role=Role.SUPERVISOR, station="office"
    )
    assert add(db, "B100", "Ana Silva", Role.PICKER, "2468", actor=floor_supervisor).badge == "B100"


def test_a_disabled_badge_is_refused_at_login_and_on_the_next_action(db: Database) -> None:
    add(db, "B100", "Ana Silva", Role.PICKER, "2468")
    with db.sessions() as session:
        ana = badge_login(session, "B100", "cart 3")
        require_active(session, ana)
    with unit_of_work(db.sessions) as session:
        assert set_active(session, SUPERVISOR, "B100", False).active is False
    with db.sessions() as session:
        with pytest.raises(OperatorDisabled) as refused:
            require_active(session, ana)
        assert refused.value.message == "B100 is disabled; a supervisor can enable the badge."
        with pytest.raises(OperatorDisabled):
            badge_login(session, "B100", "cart 3")
        assert [o.active for o in list_operators(session)] == [False]
        require_active(session, SUPERVISOR)  # the command line is no operator
    with unit_of_work(db.sessions) as session:
        set_active(session, SUPERVISOR, "B100", True)
    with db.sessions() as session:
        require_active(session, ana)
        assert badge_login(session, "B100", "cart 3").operator_id == ana.operator_id


def test_only_a_supervisor_disables_a_known_badge(db: Database) -> None:
    add(db, "B100", "Ana Silva", Role.PICKER, "2468")
    with unit_of_work(db.sessions) as session, pytest.raises(NotAllowed):
        set_active(session, PICKER, "B100", False)
    with unit_of_work(db.sessions) as session, pytest.raises(NotFound):
        set_active(session, SUPERVISOR, "B999", False)
    with db.sessions() as session:
        assert find_operator(session, "B100").active
