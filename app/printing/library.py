"""The labels folder: layout files by name, the warehouse's own values, sample data."""

from __future__ import annotations

import copy
import re
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.printing.errors import LayoutError, LayoutNotFound
from app.printing.layout import Layout
from app.printing.parse import parse_layout

LABELS_DIR = Path(__file__).resolve().parents[2] / "labels"
SITE_FILE = "_site.toml"  # values every layout may use: return address, logo, returns note
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


@dataclass(frozen=True)
class LayoutInfo:
    """A layout as listed for a person choosing one."""

    name: str
    title: str
    description: str
    width_mm: float
    height_mm: float
    path: Path


def _read_toml(path: Path, name: str) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(name, f"{path.name} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise LayoutError(name, f"cannot read {path}: {exc.strerror}") from None


class LayoutLibrary:
    """Layouts in one folder, parsed once and re-read when a file changes."""

    def __init__(self, folder: Path = LABELS_DIR) -> None:
        self.folder = folder
        self._cache: dict[str, tuple[tuple[int, int], Layout]] = {}
        self._site: tuple[tuple[int, int], dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        """Layout names (file names without .toml), sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.toml") if _NAME.fullmatch(p.stem))

    def infos(self) -> list[LayoutInfo]:
        """Every layout with its title and page size."""
        out = []
        for name in self.names():
            layout = self.load(name)
            out.append(
                LayoutInfo(
                    name,
                    layout.title,
                    layout.description,
                    layout.page.width,
                    layout.page.height,
                    self.folder / f"{name}.toml",
                )
            )
        return out

    def path(self, name: str) -> Path:
        """The file of layout `name`; LayoutNotFound when there is none."""
        path = self.folder / f"{name}.toml"
        if not _NAME.fullmatch(name) or not path.is_file():
            known = ", ".join(self.names()) or "none"
            raise LayoutNotFound(name, f"no such layout in {self.folder} (known: {known})")
        return path

    def load(self, name: str) -> Layout:
        """The parsed layout `name`, from cache unless its file changed."""
        path = self.path(name)
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._cache.get(name)
            if cached is not None and cached[0] == stamp:
                return cached[1]
        layout = parse_layout(name, _read_toml(path, name), path)
        with self._lock:
            self._cache[name] = (stamp, layout)
        return layout

    def site_values(self) -> dict[str, Any]:
        """The warehouse's own values from _site.toml [values] (empty when there is none)."""
        path = self.folder / SITE_FILE
        if not path.is_file():
            return {}
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._site is not None and self._site[0] == stamp:
                return self._site[1]
        raw = _read_toml(path, SITE_FILE)
        values = raw.get("values", {})
        if not isinstance(values, dict) or set(raw) - {"values"}:
            raise LayoutError(SITE_FILE, "the file holds one [values] table")
        with self._lock:
            self._site = (stamp, values)
        return values

    def resolve(self, relative: str) -> Path:
        """A file named in a layout (a logo), relative to the labels folder."""
        return (self.folder / relative).resolve()

    def values_for(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Site values overlaid with `data` (the caller's values win)."""
        return {**self.site_values(), **data}

    def sample_data(self, layout: Layout) -> dict[str, Any]:
        """Example values for every value `layout` uses: its [sample], then site values."""
        site = self.site_values()
        data: dict[str, Any] = {}
        for name in layout.value_names():
            if name in layout.sample:
                data[name] = copy.deepcopy(layout.sample[name])
            elif name in site:
                data[name] = copy.deepcopy(site[name])
            else:
                data[name] = f"<{name}>"
        table = layout.table
        if table is not None:
            rows = data.get(table.rows)
            if not isinstance(rows, list) or not rows:
                data[table.rows] = [{n: f"<{n}>" for n in layout.row_names()}]
        return data


@lru_cache(maxsize=1)
def default_library() -> LayoutLibrary:
    """The library over the repository's labels/ folder (one per process: it caches layouts)."""
    return LayoutLibrary()


def list_layouts() -> list[LayoutInfo]:
    """Every shipped or edited layout in labels/."""
    return default_library().infos()


def load_layout(name: str) -> Layout:
    """The layout `name` from labels/."""
    return default_library().load(name)


def sample_data(layout: Layout | str) -> dict[str, Any]:
    """An example data dict naming every value the layout uses."""
    library = default_library()
    return library.sample_data(library.load(layout) if isinstance(layout, str) else layout)
