"""Command line: `python -m bot [check|search|console|run]` (see README)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from bot.paths import DEFAULT_KNOWLEDGE, shown

# argparse's own words (usage, options, errors) in French: its messages go through gettext,
# looked up in argparse's namespace at call time; `french_argparse` swaps it while parsing.
# Section titles end with a space so that argparse's "title:" reads "titre :".
ARGPARSE_FR = {
    "usage: ": "utilisation : ",
    "options": "options ",
    "positional arguments": "arguments positionnels ",
    "subcommands": "sous-commandes ",
    "show this help message and exit": "afficher ce message d'aide et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "argument explicite %r ignoré",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "au plus une valeur attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "expected %s argument": "%s valeur attendue",
    "expected %s arguments": "%s valeurs attendues",
    "ambiguous option: %(option)s could match %(matches)s":
        "option ambiguë : %(option)s peut désigner %(matches)s",
    "unexpected option string: %s": "option inattendue : %s",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s attendu) : %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "choix invalide : %(value)r (possibles : %(choices)s)",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "sous-commande inconnue %(parser_name)r (possibles : %(choices)s)",
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
}


@contextmanager
def french_argparse():
    saved = argparse._, argparse.ngettext

    def gettext(message):
        return ARGPARSE_FR.get(message, message)

    def ngettext(singular, plural, n):
        return gettext(singular if n == 1 else plural)

    argparse._, argparse.ngettext = gettext, ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def entier(text: str) -> int:
    return int(text)


entier.__name__ = "nombre entier"


def _knowledge_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge", metavar="DOSSIER", type=Path, default=None,
                        help="dossier de la base de connaissances (défaut : knowledge/)")


CONFIG_HELP = "fichier de configuration YAML (défaut : config.yaml s'il existe)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Bot d'exemples numériques pour TPE/PME. Sans sous-commande : Discord et/ou "
                    "Slack si leurs jetons sont configurés, sinon la console.",
    )
    sub = parser.add_subparsers(dest="command", metavar="SOUS-COMMANDE",
                                title="sous-commandes ")  # see ARGPARSE_FR
    p = sub.add_parser("check", help="vérifier la base de connaissances")
    _knowledge_arg(p)
    p = sub.add_parser("search", help="chercher des exemples")
    _knowledge_arg(p)
    p.add_argument("--limit", type=entier, default=10, metavar="N", help="nombre de résultats")
    p.add_argument("--json", action="store_true", help="une ligne JSON par requête")
    p.add_argument("--stdin", action="store_true", help="lire une requête par ligne")
    p.add_argument("query", nargs="*", metavar="REQUÊTE", help="les mots de la recherche")
    p = sub.add_parser("console", help="discuter avec le bot dans le terminal")
    _knowledge_arg(p)
    p.add_argument("--db", type=Path, default=None, metavar="FICHIER",
                   help="base SQLite de l'état du bot (défaut : data/bot.sqlite3)")
    p.add_argument("--user", default=None, metavar="NOM", help="votre nom dans la console")
    p.add_argument("--admin", action="store_true", help="agir en administrateur")
    p.add_argument("--config", type=Path, default=None, metavar="FICHIER", help=CONFIG_HELP)
    p = sub.add_parser("run", help="lancer le bot sur Discord et/ou Slack (selon les jetons)",
                       description="Lance le bot sur chaque plateforme dont les jetons sont "
                                   "configurés (DISCORD_TOKEN ; SLACK_BOT_TOKEN et "
                                   "SLACK_APP_TOKEN), dans un seul processus.")
    p.add_argument("--config", type=Path, default=None, metavar="FICHIER", help=CONFIG_HELP)
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
    from bot.app import terminal_progress
    from bot.core.service import KnowledgeService

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
    service = KnowledgeService(knowledge_folder(args.knowledge))
    # the whole engine from the first answer: the semantic cache is built first if needed
    result = service.load(semantic="now", progress=terminal_progress())
    for problem in result.problems:
        print(problem, file=sys.stderr)
    index = service.index
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
    with french_argparse():
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
