"""Dock doors: which carrier's truck each one loads today, and the labels shippers scan."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.db.dispatch_models import DockDoor, Load
from app.db.packing_models import Carton
from app.domain.dispatch import door_code
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind, classify
from app.printing import Printer
from app.printing.batch import Cancel
from app.services.actor import Actor
from app.services.errors import InvalidInput, NotFound, WrongState
from app.services.masterdata.warehouse import scan_patterns
from app.services.packing.carriers import carrier_book
from app.services.printing.records import Progress, RecordedPrint, print_batch

DOOR_LAYOUT = "door_label"


@dataclass(frozen=True)
class DoorInfo:
    """A door and the carrier it serves ("" when no truck is assigned)."""

    door: str
    carrier: str

    def as_dict(self) -> dict[str, str]:
        return {"door": self.door, "carrier": self.carrier}


def list_doors(session: Session) -> list[DoorInfo]:
    """Every door in code order (DOCK-2 before DOCK-10)."""
    doors = session.scalars(select(DockDoor)).all()
    return [DoorInfo(d.code, d.carrier) for d in sorted(doors, key=lambda d: _natural(d.code))]


def _natural(code: str) -> tuple[str, int]:
    head = code.rstrip("0123456789")
    tail = code[len(head) :]
    return head, int(tail) if tail else -1


def set_door(session: Session, actor: Actor, code: str, carrier: str) -> DoorInfo:
    """Add a door or change the carrier it serves ("" for none); supervisors only.

    Refused while the door's open load holds cartons of another carrier: the truck at the door
    must be closed or unloaded first.
    """
    actor.require(Role.SUPERVISOR)
    try:
        code = door_code(code)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    scanned = classify(code, scan_patterns(session))
    if not isinstance(scanned, Scan) or scanned.kind is not ScanKind.DOOR:
        pattern = scan_patterns(session).door
        raise InvalidInput(
            f"{code} would not scan as a door (the door pattern is {pattern!r}): "
            "use a code such as DOCK-1, or change the pattern with baton scan patterns"
        )
    name = ""
    if carrier.strip():
        known = carrier_book().carrier(carrier)
        if known is None:
            names = ", ".join(c.name for c in carrier_book().carriers)
            raise InvalidInput(f"No carrier {carrier.strip()!r} in the carrier book ({names}).")
        name = known.name
    door = session.scalars(
        select(DockDoor).where(DockDoor.code == code).with_for_update()
    ).one_or_none()
    if door is None:
        door = DockDoor(code=code, carrier=name)
        session.add(door)
        session.flush()
        return DoorInfo(code, name)
    if door.carrier != name:
        loaded = session.scalar(
            select(func.count(Carton.id))
            .join(Load, Load.id == Carton.load_id)
            .where(Load.door_id == door.id, Load.status == "OPEN", Carton.status == "LOADED")
        )
        if loaded:
            raise WrongState(
                f"{code} has {loaded} {door.carrier} carton(s) loaded: close the load or "
                "unload them before the door serves another carrier."
            )
        # An empty open load of the old carrier goes; the next scan opens one for the new.
        session.execute(delete(Load).where(Load.door_id == door.id, Load.status == "OPEN"))
    door.carrier, door.updated_at = name, clock.now()
    return DoorInfo(code, name)


def door_by_code(session: Session, code: str, *, lock: bool = False) -> DockDoor:
    """The door `code` names (locked for the transaction when asked), or NotFound."""
    query = select(DockDoor).where(DockDoor.code == code.strip().upper())
    door = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if door is None:
        raise NotFound(
            f"No dock door {code.strip()!r}: a supervisor adds it (baton dispatch doors set)."
        )
    return door


def door_for_carrier(session: Session, carrier: str) -> str | None:
    """The first door serving `carrier` today, for a refusal that says where a carton goes."""
    codes = session.scalars(select(DockDoor.code).where(DockDoor.carrier == carrier)).all()
    return min(codes, key=_natural) if codes else None


def door_label_data(session: Session) -> list[dict[str, str]]:
    """The values of every door's label, in door order."""
    return [
        {
            "door": d.door,
            "where": f"Dock door · {d.carrier}" if d.carrier else "Dock door",
        }
        for d in list_doors(session)
    ]


def print_door_labels(
    factory: sessionmaker[Session],
    actor: Actor,
    printer: Printer,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> RecordedPrint:
    """Every door's label in one job (supervisors), recorded like any print."""
    actor.require(Role.SUPERVISOR)
    with factory() as session:
        documents = door_label_data(session)
    what = f"dock door labels ({len(documents)})"
    return print_batch(
        factory, actor, printer, DOOR_LAYOUT, documents, what, progress=progress, cancel=cancel
    )
