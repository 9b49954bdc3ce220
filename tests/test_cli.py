"""The command line speaks French: help, usage lines and argparse's own error messages."""

from __future__ import annotations

import argparse

import pytest

from bot.__main__ import main

ENGLISH = ("usage:", "options:", "show this help", "positional arguments", "error:",
           "invalid choice", "invalid int", "unrecognized", "required", "expected", "choose from", "subcommands")


def output_of(argv: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    captured = capsys.readouterr()
    return stopped.value.code, captured.out + captured.err


@pytest.mark.parametrize("argv", [["--help"], ["check", "--help"], ["search", "--help"],
                                  ["console", "--help"], ["run", "-h"]])
def test_every_help_is_in_french(argv, capsys) -> None:
    code, text = output_of(argv, capsys)
    assert code == 0
    assert text.startswith("utilisation : python -m bot")
    assert "afficher ce message d'aide et quitter" in text and "options :" in text
    assert not [word for word in ENGLISH if word in text], text


def test_top_level_help_lists_the_subcommands(capsys) -> None:
    _, text = output_of(["--help"], capsys)
    assert "sous-commandes :" in text
    assert "run          lancer le bot sur Discord et/ou Slack" in text


@pytest.mark.parametrize("argv, message", [
    (["search", "--limit", "x"],
     "python -m bot search : erreur : argument --limit : valeur invalide (nombre entier "
     "attendu) : 'x'"),
    (["zut"], "erreur : argument SOUS-COMMANDE : choix invalide : 'zut' (possibles : 'check', "
              "'search', 'console', 'run')"),
    (["search", "--zz"], "python -m bot : erreur : arguments non reconnus : --zz"),
    (["console", "--user"], "erreur : argument --user : une valeur attendue"),
])
def test_argument_errors_are_in_french(argv, message, capsys) -> None:
    code, text = output_of(argv, capsys)
    assert code == 2
    assert message in text
    assert not [word for word in ENGLISH if word in text], text


def test_argparse_is_left_as_it_was(capsys) -> None:
    output_of(["--help"], capsys)
    assert argparse._("usage: ") == "usage: "


def test_console_shows_follow_ups_as_commands_with_the_configured_prefix() -> None:
    from bot.adapters.text import render
    from bot.core.replies import Action, Message

    reply = Message("Aucun exemple.", actions=(Action("search", "Métallurgie · 3", "metallurgie"),
                                              Action("propose", "Proposer un exemple"),
                                              Action("vote", "👍 Utile", "x:1")))
    assert render(reply, "?") == ("Aucun exemple.\nPour continuer : Métallurgie · 3 : ?exemple "
                                  "metallurgie · Proposer un exemple : ?proposer.")
