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
