"""Shared fixtures: small knowledge bases written to tmp_path, and a chat harness."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.adapters.text import render
from bot.core.commands import Assistant, Caller
from bot.core.service import KnowledgeService

TAXONOMY = """\
secteurs:
  industrie:
    libelle: Industrie
    synonymes: [industriel, usine, manufacture]
  metallurgie:
    libelle: Métallurgie
    parent: industrie
    synonymes: [fonderie, tôlerie, chaudronnerie]
  plasturgie:
    libelle: Plasturgie
    parent: industrie
    synonymes: [plastique, injection plastique]
  btp:
    libelle: BTP
    synonymes: [bâtiment, travaux publics, construction]
  commerce:
    libelle: Commerce
    synonymes: [boutique, magasin]
  sante:
    libelle: Santé
    synonymes: [médical]
outils:
  linkedin:
    libelle: LinkedIn
    synonymes: [linked in]
  facebook:
    libelle: Facebook
  viadeo:
    libelle: Viadeo
  blog:
    libelle: Blog
    synonymes: [blogue]
  reseau-social-entreprise:
    libelle: Réseau social d'entreprise
    synonymes: [yammer]
usages:
  recrutement:
    libelle: Recrutement
    synonymes: [embauche, recruter, embaucher, candidats]
  prospection:
    libelle: Prospection
    synonymes: [prospecter, nouveaux clients]
  communication-interne:
    libelle: Communication interne
"""

EXAMPLES = """\
# Fichier d'exemples de test : ce commentaire doit survivre aux écritures du bot.
exemples:
  - id: fonderie-linkedin-recrutement
    titre: Une fonderie recrute ses mouleurs sur LinkedIn
    resume: Une fonderie de 40 salariés publie ses offres sur LinkedIn et pourvoit trois postes.
    secteur: metallurgie
    outils: [linkedin]
    usages: [recrutement]
    entreprise: {nom: Fonderie Durand, taille: PME, effectif: 40, region: Bretagne}
    resultats: Trois recrutements en deux mois.
    sources: [https://example.org/fonderie]
    date: 2019-03
  - id: plasturgiste-blog-prospection
    titre: Un plasturgiste trouve des clients grâce à son blog technique
    resume: Un mouleur de pièces plastiques publie des articles techniques et reçoit des demandes de devis.
    secteur: plasturgie
    outils: [blog]
    usages: [prospection]
    sources: [https://example.org/plasturgie]
    date: 2011
  - id: usine-yammer
    titre: Une usine relie ses équipes avec Yammer
    resume: Une usine de 200 salariés remplace ses notes de service par un réseau social d'entreprise.
    secteur: industrie
    outils: [reseau-social-entreprise]
    usages: [communication-interne]
  - id: macon-facebook-chantiers
    titre: Un maçon montre ses chantiers sur Facebook
    resume: Un artisan maçon publie chaque semaine des photos de chantiers et gagne des clients locaux.
    secteur: btp
    outils: [facebook]
    usages: [prospection]
    sources: [https://example.org/macon]
    date: 2016
  - id: boutique-facebook-recrutement
    titre: Une boutique de vélos embauche via Facebook
    resume: Une boutique de vélos publie une annonce sur Facebook et reçoit vingt candidatures.
    secteur: commerce
    outils: [facebook]
    usages: [recrutement]
    sources: [https://example.org/velo]
    date: 2021
  - id: chaudronnerie-viadeo
    titre: Une chaudronnerie prospecte les acheteurs sur Viadeo
    resume: Une chaudronnerie contacte des acheteurs industriels sur Viadeo dès 2008.
    secteur: metallurgie
    outils: [viadeo]
    usages: [prospection]
    sources: [https://example.org/viadeo]
    date: 2008
"""


def write_base(folder: Path, taxonomy: str = TAXONOMY, **files: str) -> Path:
    """Write a knowledge folder; `files` maps file stems to YAML text (dedented)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "taxonomie.yaml").write_text(taxonomy, encoding="utf-8")
    if not files:
        files = {"exemples": EXAMPLES}
    for stem, text in files.items():
        (folder / f"{stem}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


SEMANTIC_MODULES = {"test_semantic", "test_gate", "test_quality", "test_console_semantic"}


@pytest.fixture(autouse=True)
def words_only_unless_semantic(request, monkeypatch) -> None:
    """The semantic layer (a model to load, vectors to compute) is exercised by the tests of
    SEMANTIC_MODULES; elsewhere the bot runs on the words only (BOT_SEMANTIC=off, inherited by
    the subprocesses a test starts), which keeps the suite fast."""
    if request.module.__name__.rsplit(".", 1)[-1] not in SEMANTIC_MODULES:
        monkeypatch.setenv("BOT_SEMANTIC", "off")


@pytest.fixture
def base_dir(tmp_path: Path) -> Path:
    return write_base(tmp_path / "knowledge")


class Harness:
    """Drives the core exactly as an adapter does, and renders replies as text."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant

    async def replies(self, text: str, user: str = "alice", admin: bool = False):
        return await self.assistant.handle(text, Caller(f"test:{user}", user, admin))

    async def send(self, text: str, user: str = "alice", admin: bool = False) -> str:
        prefix = self.assistant.prefix
        return "\n\n".join(render(r, prefix) for r in await self.replies(text, user, admin))


@pytest.fixture
def harness(base_dir: Path) -> Harness:
    service = KnowledgeService(base_dir)
    service.load()
    return Harness(Assistant(service))


@pytest.fixture
async def curated(tmp_path: Path):
    """A harness with the full state: SQLite file, workflow and curation commands."""
    from bot.app import open_core
    from bot.config import Config

    folder = write_base(tmp_path / "knowledge")
    config = Config(knowledge=folder, database=tmp_path / "etat.sqlite3", max_pending=3,
                    max_per_day=4)
    async with open_core(config, folder) as (assistant, _):
        yield Harness(assistant)
