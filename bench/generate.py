"""Generated knowledge bases and query mixes for the benchmark (deterministic, seeded)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from bot.core.knowledge import load_knowledge
from bot.paths import DEFAULT_KNOWLEDGE

SUBJECTS = [
    "Une fonderie", "Un atelier de mécanique", "Une menuiserie", "Une boulangerie", "Un maçon",
    "Une PME de plasturgie", "Une chaudronnerie", "Un imprimeur", "Une scierie", "Un garage",
    "Une entreprise de transport", "Un cabinet comptable", "Une ferme", "Une fromagerie",
    "Un décolleteur", "Une brasserie", "Une entreprise de peinture", "Un fabricant de meubles",
]
ACTIONS = [
    "publie ses offres d'emploi", "montre ses chantiers", "présente ses machines",
    "raconte ses métiers", "répond aux questions de ses clients", "partage sa veille",
    "anime une communauté", "diffuse des vidéos de l'atelier", "publie des études de cas",
    "organise des portes ouvertes", "recrute des apprentis", "lance un nouveau produit",
]
RESULTS = [
    "et reçoit des candidatures", "et gagne de nouveaux clients", "et double ses demandes de devis",
    "et fidélise ses clients", "et trouve des fournisseurs", "et se fait connaître localement",
]
REGIONS = ["Bretagne", "Occitanie", "Grand Est", "Normandie", "Auvergne-Rhône-Alpes",
           "Hauts-de-France", "Pays de la Loire", "Nouvelle-Aquitaine"]
SYLLABLES = ["ba", "co", "ri", "ton", "mel", "dra", "vik", "sul", "pen", "tor", "gal", "nu"]


def rare_word(rng: random.Random) -> str:
    """Made-up words grow the vocabulary with the base, as real proper nouns do."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def generate_base(folder: Path, count: int, seed: int = 7, per_file: int = 2000) -> Path:
    """Write `count` examples over the bundled taxonomy into `folder`."""
    rng = random.Random(seed)
    taxonomy = load_knowledge(DEFAULT_KNOWLEDGE).base.taxonomy
    sectors, tools, uses = (sorted(taxonomy.facets[f]) for f in ("secteurs", "outils", "usages"))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copy(DEFAULT_KNOWLEDGE / "taxonomie.yaml", folder / "taxonomie.yaml")
    for start in range(0, count, per_file):
        lines = ["# fichier généré pour le banc d'essai", "exemples:"]
        for i in range(start, min(start + per_file, count)):
            subject, action, result = rng.choice(SUBJECTS), rng.choice(ACTIONS), rng.choice(RESULTS)
            tool = taxonomy.tools[rng.choice(tools)].label
            name = rare_word(rng).capitalize()
            lines += [
                f"  - id: exemple-{i:06d}",
                f"    titre: {subject} {action} sur {tool}",
                "    resume: >-",
                f"      {subject} {name} {action} sur {tool} {result}.",
                f"    secteur: {rng.choice(sectors)}",
                f"    outils: [{', '.join(rng.sample(tools, rng.randint(1, 2)))}]",
                f"    usages: [{rng.choice(uses)}]",
                "    entreprise:",
                f"      nom: {name} {rare_word(rng).capitalize()}",
                f"      taille: {rng.choice(['TPE', 'PME', 'ETI'])}",
                f"      region: {rng.choice(REGIONS)}",
                f"    details: {rng.choice(ACTIONS).capitalize()} depuis {2005 + i % 20}, "
                f"{rare_word(rng)} {rng.choice(RESULTS)}.",
                f"    sources: [https://example.org/{i}]",
                f"    date: {2005 + i % 20}",
            ]
        (folder / f"exemples-{start // per_file:03d}.yaml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8")
    return folder


def generate_queries(count: int, seed: int = 11) -> list[str]:
    """A mix of what members type: facets, typos, inflections, free words, questions, noise."""
    rng = random.Random(seed)
    taxonomy = load_knowledge(DEFAULT_KNOWLEDGE).base.taxonomy
    names = {f: [n for t in taxonomy.facets[f].values() for n in (t.label, *t.synonyms)]
             for f in ("secteurs", "outils", "usages")}

    def typo(word: str) -> str:
        if len(word) < 5:
            return word
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1:]

    makers = [
        lambda: rng.choice(names["secteurs"]),
        lambda: f"{rng.choice(names['secteurs'])} {rng.choice(names['outils'])}",
        lambda: f"{typo(rng.choice(names['secteurs']))} {typo(rng.choice(names['outils']))}",
        lambda: f"{rng.choice(names['usages'])} {rng.choice(names['secteurs'])}".upper(),
        lambda: f"comment {rng.choice(names['usages'])} avec {rng.choice(names['outils'])} ?",
        lambda: f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)}",
        lambda: rng.choice(ACTIONS),
        lambda: f"{rng.choice(REGIONS)} {rng.choice(names['outils'])}",
        lambda: rng.choice(["recette de la tarte aux pommes", "météo demain à Lyon", "zzqx wvv"]),
    ]
    return [rng.choice(makers)() for _ in range(count)]
