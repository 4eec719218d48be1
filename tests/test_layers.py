"""DESIGN.md's layer rule: only app/ui imports Qt; app/domain imports neither Qt nor SQLAlchemy."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _modules(below: Path) -> list[Path]:
    return sorted(p for p in below.rglob("*.py") if "migrations" not in p.parts)


def test_nothing_below_ui_imports_qt() -> None:
    leaks = [
        str(p.relative_to(APP.parent))
        for p in _modules(APP)
        if "ui" not in p.relative_to(APP).parts[:1] and "PySide6" in _imports(p)
    ]
    assert leaks == []


def test_domain_is_pure() -> None:
    impure = {
        str(p.relative_to(APP.parent)): sorted(_imports(p) & {"PySide6", "sqlalchemy", "alembic"})
        for p in _modules(APP / "domain")
    }
    assert {k: v for k, v in impure.items() if v} == {}


def test_services_and_below_never_import_ui() -> None:
    offenders = [
        str(p.relative_to(APP.parent))
        for p in _modules(APP)
        if p.relative_to(APP).parts[0] in {"domain", "services", "db", "printing"}
        and any(
            isinstance(n, ast.ImportFrom) and (n.module or "").startswith("app.ui")
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        )
    ]
    assert offenders == []


def test_the_rule_would_catch_a_leak(tmp_path: Path) -> None:
    leaky = tmp_path / "leak.py"
    leaky.write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    assert "PySide6" in _imports(leaky)


_CALENDAR = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}


def _calendar_reads(path: Path) -> list[int]:
    """Lines calling datetime.now(), date.today() and the like: the calendar behind the clock."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
        if (name, node.func.attr) in _CALENDAR:
            found.append(node.lineno)
    return found


def _imports_full(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def test_only_the_clock_reads_the_calendar() -> None:
    """Time is an input: every service, the demo and the screens take "now" from app/clock.py,
    which the tests move with time-machine; the domain is handed the time it needs."""
    reads = {
        str(p.relative_to(APP.parent)): lines
        for p in _modules(APP)
        if p.name != "clock.py" and (lines := _calendar_reads(p))
    }
    assert reads == {}
    domain_clock = [
        str(p.relative_to(APP.parent))
        for p in _modules(APP / "domain")
        if "app.clock" in _imports_full(p)
    ]
    assert domain_clock == []


def test_the_calendar_rule_would_catch_a_read(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "import datetime, time\n"
        "when = datetime.datetime.now()\n"
        "day = date.today()\n"
        "stamp = time.time()\n"
        "fine = clock.now()\n"
    )
    assert _calendar_reads(sneaky) == [2, 3, 4]


STAGES = (
    "intake",
    "picking",
    "sorting",
    "packing",
    "dispatch",
    "floor",
    "messages",
    "desk",
    "masterdata",
    "printing",
    "demo",
    "tracking",
    "simulation",
)


def test_services_are_arranged_by_stage_and_each_says_what_it_does() -> None:
    """Every stage is a package whose __init__ is one line saying what the stage does, and the
    rules above walk it: no module sits beside them but what every stage shares."""
    services = APP / "services"
    packages = sorted(p.name for p in services.iterdir() if (p / "__init__.py").exists())
    assert packages == sorted(STAGES)
    for stage in STAGES:
        init = (services / stage / "__init__.py").read_text(encoding="utf-8")
        assert ast.get_docstring(ast.parse(init)) and len(init.strip().splitlines()) == 1, stage
    shared = sorted(p.stem for p in services.glob("*.py") if p.stem != "__init__")
    assert shared == ["actor", "errors", "order_numbers", "ship_to", "timeline"]
    assert all(any(_modules(services / stage)) for stage in STAGES)


def test_no_test_module_imports_another() -> None:
    """Shared test code lives in helpers and conftest files, never in a test module."""
    tests = Path(__file__).resolve().parent
    offenders = [
        str(p.relative_to(tests.parent))
        for p in sorted(tests.rglob("test_*.py"))
        if any(
            part.startswith("test_")
            for m in _imports_full(p)
            for part in m.split(".")[1:2] + m.split(".")[-1:]
            if m.startswith("tests.")
        )
    ]
    assert offenders == []
