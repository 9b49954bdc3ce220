"""The contract between the layers, read from the source (issue 10): the wiring builds the core
once and hands it to the adapters, which never import the wiring back; the core imports no
platform, driver or storage module. ruff's TID251 (pyproject.toml) says the same for the core
at lint time; these tests read every import, lazy ones included, so `pytest` alone catches it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIRING = ("bot.app", "bot.wiring")
CORE_BANNED = ("discord", "slack_bolt", "slack_sdk", "aiosqlite", "sqlite3", "aiohttp",
               "filelock", "bot.storage", "bot.adapters", *WIRING)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, at any depth: `import a.b`, `from a import
    b` (as a and a.b), relative imports resolved, and `importlib.import_module("a")`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[:len(package) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__"):
                found.append((node.lineno, node.args[0].value))
    return found


def offending(folder: str, banned: tuple[str, ...]) -> list[str]:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, f"no Python file under {folder}"
    return [f"{path.relative_to(ROOT)}:{line}: {name}"
            for path in files for line, name in sorted(imported_modules(path))
            if any(name == b or name.startswith(b + ".") for b in banned)]


def test_adapters_never_import_the_wiring() -> None:
    assert offending("bot/adapters", WIRING) == []


def test_the_core_imports_no_platform_driver_storage_or_wiring() -> None:
    assert offending("bot/core", CORE_BANNED) == []


def test_the_import_reader_sees_every_kind_of_import(tmp_path: Path, monkeypatch) -> None:
    """The check above would pass on an empty reader: show it finds what it must find."""
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    folder = tmp_path / "bot" / "adapters" / "chat"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "client.py").write_text(
        "import os\n"
        "from bot import wiring\n"
        "from ... import app\n"
        "def later():\n"
        "    import bot.wiring as w\n"
        "    importlib.import_module('bot.app')\n"
        "from ..text import render\n", encoding="utf-8")
    assert offending("bot/adapters", WIRING) == [
        "bot/adapters/chat/client.py:2: bot.wiring",
        "bot/adapters/chat/client.py:3: bot.app",
        "bot/adapters/chat/client.py:5: bot.wiring",
        "bot/adapters/chat/client.py:6: bot.app"]
