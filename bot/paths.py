"""Default locations, relative to the project root."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE = PROJECT_ROOT / "knowledge"
DEFAULT_DB = PROJECT_ROOT / "data" / "bot.sqlite3"
ENV_FILE = PROJECT_ROOT / ".env"  # secrets (tokens), never versioned


def shown(path: Path) -> Path:
    """`path` relative to the working directory when it lies below it (shorter messages)."""
    try:
        return Path(os.path.relpath(path)) if Path(path).is_absolute() and \
            Path(path).resolve().is_relative_to(Path.cwd()) else Path(path)
    except ValueError:
        return Path(path)
