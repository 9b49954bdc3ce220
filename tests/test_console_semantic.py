"""The console, as `make run` opens it, answers with the whole engine (semantic layer built first)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bot.core.knowledge import load_knowledge
from bot.paths import DEFAULT_KNOWLEDGE

SEED = "!question comment une petite fonderie peut-elle utiliser facebook ?"


def test_seed_question_gets_the_nearest_industrial_facebook_examples(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--db", str(tmp_path / "etat.sqlite3")],
        input=SEED + "\n", capture_output=True, text=True, timeout=300, check=True)
    out = run.stdout
    # said plainly: no foundry on Facebook yet, here are the nearest ones
    assert "Pas encore d'exemple de fonderie sur Facebook ; voici les plus proches" in out, out
    base = load_knowledge(DEFAULT_KNOWLEDGE).base
    industrial = base.taxonomy.descendants("secteurs", "industrie")
    shown = re.findall(r"^   id : (\S+)$", out, re.MULTILINE)[:3]
    assert len(shown) == 3, out
    examples = [base.get(i) for i in shown]
    assert all(e.sector in industrial for e in examples), shown
    assert sum("facebook" in e.tools for e in examples) >= 2, shown
    # the semantic cache was built before the first answer, beside the state database
    assert list((tmp_path / "cache").glob("vecteurs-*.npz"))
    assert "Préparation de la recherche par le sens" in run.stderr
