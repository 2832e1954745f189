"""The rooms of the house and what may import what (README, "Architecture"), held by reading every
module's imports (ast). A failure names the module, the line and the import.

- the core (``scoring/*.py``) imports no store, workbooks, cli, streamlit, openpyxl or sqlite3;
- views, workbooks, monitor and robustness import no store (the store keeps what a monitor run found,
  not the other way round);
- only ``scoring/store/`` imports sqlite3 or psycopg, or runs SQL; only ``ui/`` and ``app.py`` import streamlit;
- no module imports upward from its own package's ``__init__``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpers import ROOT

ROOMS = ("rubric", "views", "workbooks", "store", "cli", "monitor", "robustness")


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, text: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative ones resolved."""
    tree = ast.parse(text if text is not None else path.read_text(encoding="utf-8"))
    package = _module(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            # 'from ui import data' imports the module ui/data.py, not a name of ui/__init__.py
            submodules = [a.name for a in node.names if _is_module(f"{base}.{a.name}")]
            if len(submodules) < len(node.names):
                out.append((node.lineno, base))
            out += [(node.lineno, f"{base}.{name}") for name in submodules]
    return out


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _room(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "scoring":
        return None
    if parts == ["scoring"]:
        return "face"  # the public API: it hands names on from every room
    if (len(parts) > 2 and parts[1] in ROOMS) or (len(parts) == 2 and parts[1] in ROOMS):
        return parts[1]
    return "core"


def _sources() -> list[Path]:
    return [*sorted((ROOT / "scoring").rglob("*.py")), *sorted((ROOT / "ui").rglob("*.py")), ROOT / "app.py"]


def _broken(path: Path, text: str | None = None) -> list[str]:
    where = _room(_module(path)) if path.is_relative_to(ROOT / "scoring") else "ui"
    rel = path.relative_to(ROOT)
    out = []
    for line, name in _imports(path, text):
        top = name.split(".")[0]
        target = _room(name)
        said = f"{rel}:{line} imports {name}"
        if where == "core" and (target in ("store", "workbooks", "cli") or top in ("streamlit", "openpyxl", "sqlite3")):
            out.append(f"{said}: the core imports no store, workbooks, cli, streamlit, openpyxl or sqlite3")
        if where in ("views", "workbooks", "monitor", "robustness") and target == "store":
            out.append(f"{said}: {where} import no store")
        if top in ("sqlite3", "psycopg", "psycopg_pool") and where != "store":
            out.append(f"{said}: only scoring/store/ touches SQL")
        if top == "streamlit" and where != "ui":
            out.append(f"{said}: only ui/ and app.py import streamlit")
        own = _module(path).rsplit(".", 1)[0] if path.name != "__init__.py" else None
        if own and name == own:
            out.append(f"{said}: a module never imports upward from its own package's __init__")
    if where != "store":
        tree = ast.parse(text if text is not None else path.read_text(encoding="utf-8"))
        out += [f"{rel}:{node.lineno} runs SQL ({node.func.attr}): only scoring/store/ touches SQL"
                for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("execute", "executemany", "executescript")]  # fmt: skip
    return out


def test_every_module_keeps_to_its_room():
    problems = [p for path in _sources() for p in _broken(path)]
    assert problems == []


@pytest.mark.parametrize(
    ("where", "line", "says"),
    [
        ("scoring/engine.py", "import sqlite3", "the core imports no store"),
        ("scoring/validate.py", "from scoring.store.rounds import publish", "the core imports no store"),
        ("scoring/views/explain.py", "from scoring.store.db import now", "views import no store"),
        ("scoring/workbooks/report.py", "from scoring.store import open_store", "workbooks import no store"),
        ("scoring/monitor/run.py", "from scoring.store.probes import record_run", "monitor import no store"),
        ("scoring/robustness/agreement.py", "from scoring.store import open_store", "robustness import no store"),
        ("ui/auth.py", "import sqlite3", "only scoring/store/ touches SQL"),
        ("ui/data.py", "import psycopg", "only scoring/store/ touches SQL"),
        ("ui/demo.py", "store.db.execute('SELECT 1')", "runs SQL"),
        ("scoring/output.py", "import streamlit as st", "only ui/ and app.py import streamlit"),
        ("scoring/store/rounds.py", "from scoring.store import now", "never imports upward"),
        ("scoring/engine.py", "from scoring import __version__", "never imports upward"),
    ],
)
def test_a_forbidden_import_is_named(where, line, says):
    """The rule test can fail: each forbidden import, added to a real module's text, is named."""
    path = ROOT / where
    problems = _broken(path, path.read_text(encoding="utf-8") + "\n" + line + "\n")
    assert any(says in p and (line.split()[1] in p or "execute" in p) for p in problems), problems
