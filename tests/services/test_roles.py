"""Every service that names its actor refuses some role, before it reads or writes anything.

The services are found, not listed: a new public function taking an `actor` either checks a
role first or is named below with the reason every role may call it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import event

import app.services
from app.db.database import Database
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.errors import NotAllowed

# Functions every role may call, with the reason.
EVERY_ROLE = {
    "app.services.printing.records.print_document": "any station prints one document (a tote "
    "label at a cart); every print is recorded with who printed it",
    "app.services.printing.records.reprint": "any station reprints one document it may print; "
    "reprinting a batch is checked (supervisor) once the record says it is one",
    "app.services.actor.require_active": "every operator's actions pass through it; it refuses "
    "a disabled badge, whatever its role",
    "app.services.floor.journal.journal_refusal": "journals a refused scan, whoever scanned; "
    "the refused action checked the role",
    "app.services.floor.journal.record_scan": "journals a scan in the transaction of the action "
    "it belongs to; the action checks the role",
    "app.services.floor.journal.record_weighing": "journals a carton's weighing in the "
    "transaction of close_carton, which checks the role",
    "app.services.floor.journal.run_scan": "runs a station's scan action and journals it; the "
    "action checks the role",
    # A simulated operator's day (SimPy processes): every service it calls checks the role of
    # the simulated operator, who logged in by badge like anyone.
    **{
        f"app.services.simulation.operators.{role}": "a simulated operator's working day; "
        "each service it calls checks the role"
        for role in ("picker", "sorter", "packer", "shipper")
    },
    "app.services.messages.queue.queue_messages": "queues the customer's message in the "
    "transaction of the action it reports (a carton shipped, an order cancelled); the action "
    "checks the role",
    "app.services.timeline.event_values": "records who did an action; the action checks the role",
    "app.services.timeline.move_order": "records who did an action; the action checks the role",
    "app.services.timeline.move_orders": "records who did an action; the action checks the role",
    "app.services.timeline.record_event": "records who did an action; the action checks the role",
}

# Supervisors may do anything, so only these can be refused.
REFUSABLE = (Role.PICKER, Role.SORTER, Role.PACKER, Role.SHIPPER)


def _modules() -> Iterator[ModuleType]:
    for info in pkgutil.walk_packages(app.services.__path__, app.services.__name__ + "."):
        yield importlib.import_module(info.name)


def _services() -> list[tuple[str, Callable[..., Any]]]:
    """Every public function of app.services, defined where it is found, with an `actor`."""
    found = {}
    for module in _modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            if "actor" in inspect.signature(function).parameters:
                found[f"{module.__name__}.{name}"] = function
    return sorted(found.items())


SERVICES = _services()


def test_the_services_are_found() -> None:
    names = {name for name, _ in SERVICES}
    assert "app.services.packing.set_aside.stop_packing" in names
    assert "app.services.sorting.put_wall.put" in names
    assert set(EVERY_ROLE) <= names, "the allow-list names a function that is gone"


def _call(function: Callable[..., Any], db: Database, actor: Actor) -> None:
    """Call with the real session (or session factory) and the actor; everything else dummy."""
    with db.sessions() as session:
        arguments: dict[str, Any] = {}
        for name, parameter in inspect.signature(function).parameters.items():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if name == "actor":
                arguments[name] = actor
            elif name == "session":
                arguments[name] = session
            elif name == "factory":
                arguments[name] = db.sessions
            elif parameter.default is parameter.empty:
                arguments[name] = None
        result = function(**arguments)
        if inspect.isgenerator(result):
            next(result)
        session.rollback()


CHECKED = [s for s in SERVICES if s[0] not in EVERY_ROLE]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("name", "function"), CHECKED, ids=[name for name, _ in CHECKED])
def test_every_service_refuses_a_role_before_touching_the_database(
    db: Database, name: str, function: Callable[..., Any]
) -> None:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        tried = []
        for role in REFUSABLE:
            statements.clear()
            actor = Actor(operator_id=None, name=f"A {role.value}", role=role, station="test")
            try:
                _call(function, db, actor)
            except NotAllowed:
                assert statements == [], f"{name} reads before checking the role: {statements}"
                return
            except Exception as exc:  # noqa: BLE001 - any other outcome means no role refused
                tried.append(f"{role.value}: {type(exc).__name__}")
            else:
                tried.append(f"{role.value}: ran")
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    pytest.fail(
        f"{name} refuses no role ({'; '.join(tried)}): check the role first "
        "or name it in EVERY_ROLE with the reason"
    )
