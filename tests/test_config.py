"""The configuration file is checked before connecting, with precise French messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, read_token
from bot.paths import PROJECT_ROOT


def test_example_config_is_valid_and_documented() -> None:
    config = load_config(PROJECT_ROOT / "config.example.yaml")
    assert config.prefix == "!" and config.admin_roles == ["Admin", 123456789012345678]
    assert config.knowledge == PROJECT_ROOT / "knowledge"
    assert config.moderation_channel == "moderation" and config.shards is None
    text = (PROJECT_ROOT / "config.example.yaml").read_text()
    for key in ("prefix", "knowledge", "database", "admin_roles", "moderation_channel",
                "limits", "cooldown", "guilds", "shards"):
        assert f"\n{key}:" in text or f"\n# {key}:" in text


def test_broken_config_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("prefix: ''\nknowledge: nulle-part\nadmin_role: [Admin]\n"
                    "limits: {pending: 0, jour: 3}\ncooldown: {rate: -1}\nguilds: [abc]\n"
                    "shards: beaucoup\nlog_level: bavard\nexamples_file: ../x.yaml\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    problems = "\n".join(info.value.problems)
    for expected in (
        "« prefix » doit faire 1 à 5 caractères",
        "le dossier de connaissances « nulle-part » n'existe pas",
        "clé inconnue « admin_role » (vouliez-vous dire « admin_roles » ?)",
        "limits.pending doit être un entier positif", "limits : clé inconnue « jour »",
        "cooldown.rate doit être un nombre positif",
        "« guilds » : identifiants numériques attendus",
        "« shards » doit valoir auto ou un entier positif",
        "« log_level » doit valoir DEBUG, INFO, WARNING ou ERROR",
        "« examples_file » doit être un nom de fichier .yaml",
    ):
        assert expected in problems, expected


def test_yaml_error_in_config_is_located(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("prefix: '!'\nadmin_roles: [Admin\n")
    with pytest.raises(ConfigError, match=r"config.yaml:3 : erreur de syntaxe YAML"):
        load_config(path)


def test_token_only_from_environment_or_dotenv(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    env = tmp_path / ".env"
    assert read_token(env) is None
    env.write_text("# secrets\nexport DISCORD_TOKEN='abc.def'\n")
    assert read_token(env) == "abc.def"
    monkeypatch.setenv("DISCORD_TOKEN", "depuis-env")
    assert read_token(env) == "depuis-env"


def test_run_without_token_explains_what_to_do(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    out = subprocess.run([sys.executable, "-m", "bot", "run", "--config",
                          str(PROJECT_ROOT / "config.example.yaml")], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    if (PROJECT_ROOT / ".env").exists():
        pytest.skip("a local .env holds a token")
    assert out.returncode == 2
    assert "Aucun jeton Discord n'est configuré." in out.stderr
    assert "Reset Token" in out.stderr


def test_a_config_nested_thousands_of_levels_deep_gets_a_message(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("prefix: '!'\nadmin_roles: " + "[" * 30_000 + "]" * 30_000 + "\n")
    with pytest.raises(ConfigError, match=r"config.yaml:2 : imbrication trop profonde"):
        load_config(path)


def test_a_config_not_in_utf8_says_how_to_save_it(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes("prefix: '!'\nadmin_roles: [Propriétaire]\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="enregistrez-le en UTF-8"):
        load_config(path)
