"""Command line: `python -m bot [check|search|console|run]` (see README)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from bot.paths import DEFAULT_KNOWLEDGE, shown


def _knowledge_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge", metavar="DOSSIER", type=Path, default=None,
                        help="dossier de la base de connaissances (défaut : knowledge/)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Bot d'exemples numériques pour TPE/PME. Sans sous-commande : Discord si un "
                    "jeton est configuré, sinon la console.",
    )
    sub = parser.add_subparsers(dest="command", metavar="SOUS-COMMANDE")
    p = sub.add_parser("check", help="vérifier la base de connaissances")
    _knowledge_arg(p)
    p = sub.add_parser("search", help="chercher des exemples")
    _knowledge_arg(p)
    p.add_argument("--limit", type=int, default=10, metavar="N", help="nombre de résultats")
    p.add_argument("--json", action="store_true", help="une ligne JSON par requête")
    p.add_argument("--stdin", action="store_true", help="lire une requête par ligne")
    p.add_argument("query", nargs="*", metavar="REQUÊTE")
    p = sub.add_parser("console", help="discuter avec le bot dans le terminal")
    _knowledge_arg(p)
    p.add_argument("--db", type=Path, default=None, metavar="FICHIER",
                   help="base SQLite de l'état du bot (défaut : data/bot.sqlite3)")
    p.add_argument("--user", default=None, metavar="NOM", help="votre nom dans la console")
    p.add_argument("--admin", action="store_true", help="agir en administrateur")
    p.add_argument("--config", type=Path, default=None, metavar="FICHIER")
    p = sub.add_parser("run", help="lancer le bot Discord")
    p.add_argument("--config", type=Path, default=None, metavar="FICHIER")
    return parser


def knowledge_folder(arg: Path | None) -> Path:
    return arg if arg is not None else shown(DEFAULT_KNOWLEDGE)


def cmd_check(args: argparse.Namespace) -> int:
    from bot.core.knowledge import load_knowledge

    result = load_knowledge(knowledge_folder(args.knowledge))
    for problem in result.problems:
        print(problem)
    if result.problems:
        n = len(result.problems)
        print(f"{n} problème{'s' if n > 1 else ''} à corriger.", file=sys.stderr)
        return 1
    print(f"Base valide : {result.base.summary_line()}.")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from bot.core.knowledge import load_knowledge
    from bot.core.search import SearchIndex

    if args.limit < 1:
        print("--limit doit être un entier positif.", file=sys.stderr)
        return 2
    if args.stdin and args.query:
        print("Donnez soit une requête, soit --stdin, pas les deux.", file=sys.stderr)
        return 2
    queries = [line.rstrip("\n") for line in sys.stdin] if args.stdin else [" ".join(args.query)]
    if not args.stdin and not queries[0].strip():
        print("Requête manquante : python -m bot search industrie linkedin", file=sys.stderr)
        return 2
    result = load_knowledge(knowledge_folder(args.knowledge))
    for problem in result.problems:
        print(problem, file=sys.stderr)
    index = SearchIndex(result.base)
    for query in queries:
        found = index.search(query, limit=args.limit)
        if args.json:
            results = [{"id": h.example.id, "score": h.score} for h in found.hits]
            print(json.dumps({"query": query, "results": results}, ensure_ascii=False))
            continue
        if args.stdin:
            print(f"# {query}")
        if not found.hits:
            print("(aucun exemple)")
        for rank, hit in enumerate(found.hits, 1):
            print(f"{rank}. {hit.example.id} ({hit.score:g}) — {hit.example.title}")
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    from bot.app import run_console_app

    return asyncio.run(run_console_app(args))


def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import run_chat

    return run_chat(args)


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from bot.app import token_configured

        if token_configured():
            args = parser.parse_args(["run"])
        else:
            args = parser.parse_args(["console"])
            args.banner = True
    handlers = {"check": cmd_check, "search": cmd_search, "console": cmd_console, "run": cmd_run}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        print("\nÀ bientôt !")
        return 0
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
