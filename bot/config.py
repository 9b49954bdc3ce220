"""Configuration: one YAML file read once in main(), validated into a typed object.

Secrets never live in this file: the Discord token comes from the environment (DISCORD_TOKEN) or
from a git-ignored `.env` file at the project root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.paths import DEFAULT_DB, DEFAULT_KNOWLEDGE, PROJECT_ROOT

KEYS = ("prefix", "knowledge", "database", "examples_file", "admin_roles", "admin_guilds",
        "moderation_channel", "limits", "cooldown", "guilds", "shards", "log_level", "slack",
        "history_versions")
SLACK_KEYS = ("admins", "moderation_channel")
LIMIT_KEYS = ("pending", "per_day")
COOLDOWN_KEYS = ("rate", "per")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """The configuration is refused; `problems` lists every reason in French."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Config:
    prefix: str = "!"
    knowledge: Path = DEFAULT_KNOWLEDGE
    database: Path = DEFAULT_DB
    examples_file: str = "exemples.yaml"
    admin_roles: list[str | int] = field(default_factory=list)
    moderation_channel: str | int | None = None
    max_pending: int = 5
    max_per_day: int = 10
    cooldown_rate: int = 5
    cooldown_per: float = 30.0
    guilds: list[int] = field(default_factory=list)
    shards: str | int | None = None  # None: one connection; "auto": AutoShardedBot; N: N shards
    log_level: str = "INFO"
    # Discord servers whose administrators curate; empty: only the application's owner/team
    admin_guilds: list[int] = field(default_factory=list)
    slack_admins: list[str] = field(default_factory=list)  # Slack user ids (U…/W…)
    slack_moderation_channel: str | None = None  # Slack channel id (C…/G…)
    history_versions: int = 20  # versions kept per file in knowledge/.historique/
    source: Path | None = None


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path)


MAX_CONFIG_BYTES = 1024 * 1024
MAX_CONFIG_DEPTH = 20


def _too_deep(text: str) -> int | None:
    """The line where nesting passes MAX_CONFIG_DEPTH, read from the event stream (PyYAML's
    recursive composer would overflow the stack on thousands of levels), else None."""
    depth = 0
    for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                return event.start_mark.line + 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def load_config(path: Path | None = None) -> Config:
    """Read and check `path` (default: config.yaml at the project root, if present)."""
    if path is None:
        default = PROJECT_ROOT / "config.yaml"
        if not default.is_file():
            return Config()
        path = default
    where = str(path)
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError([f"{where} : fichier de configuration trop volumineux (plus de "
                               f"{MAX_CONFIG_BYTES // 1024} Ko) ; ce n'est sans doute pas le "
                               "bon fichier."])
        text = path.read_text(encoding="utf-8")
        deep = _too_deep(text)
        if deep is not None:
            raise ConfigError([f"{where}:{deep} : imbrication trop profonde (plus de "
                               f"{MAX_CONFIG_DEPTH} niveaux) ; une configuration tient en "
                               "« clé: valeur » et en listes simples."])
        raw = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{where} : le fichier n'est pas en UTF-8 ; enregistrez-le en UTF-8 "
                           "dans votre éditeur."]) from exc
    except OSError as exc:
        raise ConfigError([f"{where} : fichier de configuration illisible ({exc.strerror})."]) \
            from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError([f"{where}{line} : erreur de syntaxe YAML ({exc})."]) from exc
    raw = raw or {}
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise ConfigError([f"{where} : le fichier doit contenir des lignes « clé: valeur »."])
    config = Config(source=path)
    base = path.parent
    from bot.core.knowledge import did_you_mean, nearest_word

    for key in raw:
        if key not in KEYS:
            problems.append(f"{where} : clé inconnue « {key} »"
                            f"{did_you_mean(nearest_word(str(key), KEYS))}.")

    def get(key, kinds, what):
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
            problems.append(f"{where} : « {key} » doit être {what}.")
            return None
        return value

    prefix = get("prefix", str, "un texte court, par exemple « ! »")
    if prefix is not None:
        if not prefix.strip() or len(prefix) > 5 or any(c.isspace() for c in prefix):
            problems.append(f"{where} : « prefix » doit faire 1 à 5 caractères, sans espace.")
        elif any(c in "{}@#<>`*_~|\\" or not c.isprintable() for c in prefix):
            problems.append(f"{where} : « prefix » ne peut contenir ni accolades, ni @ # < > ` "
                            "* _ ~ | \\ (ils ont un sens sur Discord ou Slack) : choisissez par "
                            "exemple « ! », « ? » ou « . ».")
        else:
            config.prefix = prefix
    knowledge = get("knowledge", str, "un chemin de dossier")
    if knowledge:
        config.knowledge = _resolve(knowledge, base)
        if not config.knowledge.is_dir():
            problems.append(f"{where} : le dossier de connaissances « {knowledge} » n'existe pas.")
    database = get("database", str, "un chemin de fichier")
    if database:
        config.database = _resolve(database, base)
    examples_file = get("examples_file", str, "un nom de fichier .yaml")
    if examples_file:
        if ("/" in examples_file or "\\" in examples_file or not examples_file.endswith(".yaml")
                or examples_file.startswith(".") or examples_file == ".yaml"
                or examples_file in ("taxonomie.yaml", "chiffres.yaml")):
            problems.append(f"{where} : « examples_file » doit être un nom de fichier .yaml "
                            "visible du dossier de connaissances, autre que taxonomie.yaml et "
                            "chiffres.yaml (par exemple « exemples.yaml »).")
        else:
            config.examples_file = examples_file
    roles = get("admin_roles", list, "une liste de noms ou d'identifiants de rôles")
    if roles is not None:
        for role in roles:
            if isinstance(role, bool) or not isinstance(role, (str, int)) or str(role) == "":
                problems.append(f"{where} : « admin_roles » : « {role} » n'est ni un nom ni un "
                                "identifiant de rôle.")
        config.admin_roles = [r for r in roles if isinstance(r, (str, int))]
    channel = get("moderation_channel", (str, int), "un nom ou un identifiant de salon")
    if channel is not None:
        config.moderation_channel = channel
    limits = get("limits", dict, "un dictionnaire (pending, per_day)")
    if limits:
        for key, value in limits.items():
            if key not in LIMIT_KEYS:
                problems.append(f"{where} : limits : clé inconnue « {key} » (pending ou per_day).")
            elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(f"{where} : limits.{key} doit être un entier positif.")
        config.max_pending = _int(limits.get("pending"), config.max_pending)
        config.max_per_day = _int(limits.get("per_day"), config.max_per_day)
    cooldown = get("cooldown", dict, "un dictionnaire (rate, per)")
    if cooldown:
        for key, value in cooldown.items():
            if key not in COOLDOWN_KEYS:
                problems.append(f"{where} : cooldown : clé inconnue « {key} » (rate ou per).")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                problems.append(f"{where} : cooldown.{key} doit être un nombre positif.")
        config.cooldown_rate = _int(cooldown.get("rate"), config.cooldown_rate)
        per = cooldown.get("per")
        config.cooldown_per = float(per) if isinstance(per, (int, float)) and per > 0 \
            else config.cooldown_per
    guilds = get("guilds", list, "une liste d'identifiants de serveurs")
    if guilds is not None:
        bad = [g for g in guilds if isinstance(g, bool) or not isinstance(g, int)]
        if bad:
            problems.append(f"{where} : « guilds » : identifiants numériques attendus "
                            f"(reçu {bad[0]!r}).")
        config.guilds = [g for g in guilds if isinstance(g, int) and not isinstance(g, bool)]
    admin_guilds = get("admin_guilds", list, "une liste d'identifiants de serveurs Discord")
    if admin_guilds is not None:
        bad = [g for g in admin_guilds if isinstance(g, bool) or not isinstance(g, int)]
        if bad:
            problems.append(f"{where} : « admin_guilds » : identifiants numériques de serveurs "
                            f"attendus (reçu {bad[0]!r}). Copiez l'identifiant d'un serveur par "
                            "un clic droit sur son nom (mode développeur activé).")
        config.admin_guilds = [g for g in admin_guilds
                               if isinstance(g, int) and not isinstance(g, bool)]
    slack = get("slack", dict, "un dictionnaire (admins, moderation_channel)")
    if slack:
        for key in slack:
            if key not in SLACK_KEYS:
                problems.append(f"{where} : slack : clé inconnue « {key} » "
                                "(admins ou moderation_channel).")
        admins = slack.get("admins")
        if admins is not None:
            if not isinstance(admins, list) or not all(
                    isinstance(a, str) and a.strip() for a in admins):
                problems.append(f"{where} : slack.admins doit être une liste d'identifiants "
                                "de membres Slack, par exemple [U012ABCDEF].")
            else:
                config.slack_admins = [a.strip() for a in admins]
        channel_id = slack.get("moderation_channel")
        if channel_id is not None:
            if not isinstance(channel_id, str) or not channel_id.strip():
                problems.append(f"{where} : slack.moderation_channel doit être l'identifiant "
                                "d'un salon Slack, par exemple C012ABCDEF.")
            else:
                config.slack_moderation_channel = channel_id.strip()
    versions = get("history_versions", int, "un entier positif")
    if versions is not None:
        if versions < 1:
            problems.append(f"{where} : « history_versions » doit être un entier positif.")
        else:
            config.history_versions = versions
    shards = raw.get("shards")
    if shards is not None:
        if shards == "auto" or (isinstance(shards, int) and not isinstance(shards, bool)
                                and shards >= 1):
            config.shards = shards
        else:
            problems.append(f"{where} : « shards » doit valoir auto ou un entier positif.")
    level = get("log_level", str, "DEBUG, INFO, WARNING ou ERROR")
    if level:
        if level.upper() not in LOG_LEVELS:
            problems.append(f"{where} : « log_level » doit valoir DEBUG, INFO, WARNING ou ERROR.")
        else:
            config.log_level = level.upper()
    if problems:
        raise ConfigError(problems)
    return config


def _int(value, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 \
        else default


def read_token(env_file: Path = PROJECT_ROOT / ".env") -> str | None:
    """DISCORD_TOKEN from the environment, else from the project's .env file."""
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if token:
        return token
    if env_file.is_file():
        for line in env_file.read_text(encoding="utf-8", errors="replace").splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and key.strip().removeprefix("export ").strip() == "DISCORD_TOKEN":
                value = value.strip().strip("'\"")
                if value:
                    return value
    return None
