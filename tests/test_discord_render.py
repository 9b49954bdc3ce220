"""Discord's limits are met by graceful truncation, whatever the data."""

from __future__ import annotations

from bot.adapters.discord.render import Surface, render, safe
from bot.core.replies import Card, Detail, Help, Listing, ListItem, Message, Report, Results


def huge_card(i: int) -> Card:
    return Card(id=f"exemple-{i}", title="T" * 500, summary="R" * 5000, sector="S" * 2000,
                tools=tuple("O" * 300 for _ in range(10)), uses=("U" * 2000,), company="C" * 3000,
                size="PME", headcount=40, region="Région " * 400, results="X" * 5000,
                details="D" * 9000, sources=tuple(f"https://example.org/{'p' * 900}/{n}"
                                                  for n in range(6)))


def test_results_fit_in_one_message() -> None:
    reply = Results(Message("{q}", {"q": "q" * 3000}), [huge_card(i) for i in range(3)], 1, 3,
                    "pied " * 400)
    out = render(reply)
    assert len(out.content) <= 2000
    assert len(out.embeds) == 3
    assert sum(len(e) for e in out.embeds) <= 6000
    for embed in out.embeds:
        assert len(embed.title) <= 256 and len(embed.description) <= 4096
        assert len(embed.fields) <= 25
        assert all(len(f.value) <= 1024 and len(f.name) <= 256 for f in embed.fields)
        assert embed.footer.text.startswith("id : exemple-")


def test_listing_help_report_and_message_limits() -> None:
    listing = Listing("Secteurs", [ListItem("L" * 100, f"k{i}", i, i % 3) for i in range(500)])
    assert len(render(listing).embeds[0].description) <= 4096
    help_reply = Help("Commandes", [(f"!c{i}", "d" * 2000) for i in range(40)])
    embed = render(help_reply).embeds[0]
    assert len(embed.fields) <= 25 and len(embed) <= 6000
    report = Report("Stats", [(f"Section {i}", ["ligne " * 50] * 40) for i in range(30)])
    assert len(render(report).embeds[0]) <= 6000
    assert len(render(Message("{t}", {"t": "x" * 9000})).content) <= 2000


def test_user_text_is_escaped() -> None:
    assert safe("**gras** @everyone <@123>") == "\\*\\*gras\\*\\* @\u200beveryone <\u200b@123>"
    out = render(Message("Aucun exemple pour « {q} ».", {"q": "@here _x_"}))
    assert out.content == "Aucun exemple pour « @\u200bhere \\_x\\_ »."
    assert out.kwargs()["allowed_mentions"].to_dict() == {"parse": []}


def test_sources_are_masked_links_without_repeats_nor_bare_urls() -> None:
    long = "https://www.duralex.com/fr/" + "article-" * 50
    card = Card(id="duralex", title="Duralex", summary="r", sector="Industrie", tools=("Blog",),
                sources=(long, long, "https://www.duralex.com/autre", "https://presse.fr/a(b)"))
    embed = render(Detail(card)).embeds[0]
    assert embed.url == long
    value = {f.name: f.value for f in embed.fields}["Sources"]
    assert value == (f"[duralex.com]({long}) · [duralex.com (2)](https://www.duralex.com/autre)"
                     " · [presse.fr](https://presse.fr/a%28b%29)")
    # too many long addresses for one field: cut between links, never inside one
    many = Card(id="x", title="x", summary="r", sector="s", tools=(),
                sources=tuple(f"https://example.org/{'p' * 400}/{n}" for n in range(6)))
    value = {f.name: f.value for f in render(Detail(many)).embeds[0].fields}["Sources"]
    assert value.endswith("et 4 autres sources") and value.count("](https://") == 2
    assert len(value) <= 1024


def test_follow_ups_follow_the_surface() -> None:
    names = {"suite": "suite", "fiche": "fiche", "exemple": "exemple", "ex": "exemple"}
    reply = Results(Message("{q} :", {"q": "!suite"}), [], 1, 4,
                    "1 autre exemple : tapez !suite. Détail : !fiche <id>.")
    text = Surface("?", names=names)
    assert render(reply, text).content == "!suite :\n1 autre exemple : tapez ?suite. " \
                                          "Détail : ?fiche <id>."  # user text untouched
    slash = Surface("!", slash=True, names=names, ids={"suite": 11})
    assert render(reply, slash).content.endswith("tapez </suite:11>. Détail : /fiche <id>.")
    assert render(reply, slash, buttons=True).content == "!suite :"  # buttons say it
    assert text.rewrite("Merci ! Essayez !ex btp ou !exemples") == \
        "Merci ! Essayez ?exemple btp ou !exemples"
