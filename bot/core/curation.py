"""Member and admin commands around submissions: !proposer, !attente, !valider...

They need the state database; `install(assistant, workflow)` registers them on the core.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from bot.core.commands import Assistant, Caller, Command, Param
from bot.core.knowledge import FACETS
from bot.core.ports import StorageError, Submission
from bot.core.replies import Message, Reply, Report, SubmissionCard, Submissions, clip
from bot.core.submissions import (
    MAX_NUMBER,
    STATUS_LABELS,
    AlreadyDecided,
    DecidedMeanwhile,
    Draft,
    GoneExample,
    IdTaken,
    LimitReached,
    MissingReason,
    NoSuchSubmission,
    Workflow,
    WorkflowError,
    WriteRefused,
)
from bot.core.text import words

SKIP = {"-", "non", "aucun", "aucune", "passer", "rien"}
YES = {"oui", "o", "ok", "yes", "confirmer", "envoyer", "valider"}
NO = {"non", "n", "no"}
ACTION_LABELS = {
    "proposer": "a proposé", "modifier": "a modifié", "valider": "a validé",
    "rejeter": "a rejeté", "retirer": "a retiré", "recharger": "a rechargé",
}


def describe(exc: WorkflowError, prefix: str = "!") -> str:
    """The French sentence for a refusal of the workflow (its data, said for members)."""
    p = prefix
    if isinstance(exc, NoSuchSubmission):
        return f"Aucune proposition n'a le numéro #{exc.number}."
    if isinstance(exc, AlreadyDecided):
        who = f" par {exc.decided_by}" if exc.decided_by else ""
        return f"La proposition #{exc.number} est déjà {STATUS_LABELS[exc.status]}{who}."
    if isinstance(exc, DecidedMeanwhile):
        return (f"La proposition #{exc.number} vient d'être traitée par un autre administrateur "
                f"(voir {p}voir {exc.number}).")
    if isinstance(exc, IdTaken):
        fix = f" : changez-le avec {p}modifier {exc.number} id=..." if exc.number else "."
        return f"L'identifiant « {exc.example_id} » est déjà pris{fix}"
    if isinstance(exc, LimitReached):
        n = f"{exc.count} proposition{'s' if exc.count > 1 else ''}"
        if exc.kind == "pending":
            return (f"Vous avez déjà {n} en attente ({exc.limit} au plus) : attendez qu'un "
                    f"administrateur les examine. Voir {p}mespropositions.")
        return (f"Vous avez fait {n} en 24 heures ({exc.limit} au plus) : merci ! Revenez "
                "demain pour les suivantes.")
    if isinstance(exc, MissingReason):
        return (f"Indiquez le motif du refus : {p}rejeter {exc.number} MOTIF (il sera transmis "
                "au membre).")
    if isinstance(exc, WriteRefused):
        kept = " La proposition reste en attente." if exc.kept_pending else ""
        return f"{exc.action} impossible : {exc.reason.rstrip('.')}.{kept}"
    if isinstance(exc, GoneExample):
        return "Cet exemple n'existe plus dans la base."
    return exc.message


def problems_reply(exc: WorkflowError, prefix: str = "!") -> list[Reply]:
    lines = [str(p) for p in exc.problems[:10]]
    more = len(exc.problems) - len(lines)
    text = describe(exc, prefix)
    if lines:
        text += "\n" + "\n".join(f"- {line}" for line in lines)
        if more > 0:
            text += f"\n… et {more} autre(s) problème(s) : lancez « python -m bot check »."
    return [Message("{text}", {"text": text}, tone="error")]


def draft_fields(assistant: Assistant, data: dict) -> tuple[tuple[str, str], ...]:
    taxonomy = assistant.index.base.taxonomy
    draft = Draft.from_data(data)
    rows = [
        ("Secteur", taxonomy.label("secteurs", draft.sector)),
        ("Outils", ", ".join(taxonomy.label("outils", t) for t in draft.tools)),
        ("Résumé", draft.summary),
        ("Titre", draft.title or f"{draft.effective_title()} (titre tiré du résumé)"),
        ("Usages", ", ".join(taxonomy.label("usages", u) for u in draft.uses)),
        ("Entreprise", draft.company), ("Taille", draft.size),
        ("Effectif", str(draft.headcount) if draft.headcount is not None else None),
        ("Région", draft.region), ("Résultat", draft.result), ("Détails", draft.details),
        ("Source", draft.source or "(non sourcé)"), ("Identifiant choisi", draft.id),
    ]
    return tuple((label, value) for label, value in rows if value)


def submission_card(assistant: Assistant, sub: Submission) -> SubmissionCard:
    return SubmissionCard(
        number=sub.id, status=STATUS_LABELS[sub.status], member=sub.member_name,
        created_at=sub.created_at, fields=draft_fields(assistant, sub.data),
        duplicate_of=sub.duplicate_of, reason=sub.reason, example_id=sub.example_id,
        decided_by=sub.decided_by,
    )


def workflow_of(assistant: Assistant) -> Workflow:
    """The workflow `install` attached: the curation commands exist only once it has."""
    workflow = assistant.workflow
    assert isinstance(workflow, Workflow), "curation commands used before install()"
    return workflow


def parse_number(text: str, usage: str) -> tuple[int, str]:
    head, _, rest = text.strip().partition(" ")
    head = head.lstrip("#")
    if not (head.isascii() and head.isdigit()):
        shown = f" (reçu « {clip(head, 20)} »)" if head else ""
        raise WorkflowError(f"Indiquez le numéro de la proposition, un nombre entier{shown} : "
                            f"{usage}")
    if len(head) > 18 or int(head) >= MAX_NUMBER:
        raise WorkflowError(f"Aucune proposition n'a le numéro #{clip(head, 24)}.")
    return int(head), rest.strip()


# -- the guided dialogue ------------------------------------------------------------------


@dataclass
class Step:
    attribute: str
    question: str
    optional: bool = False


STEPS = (
    Step("sector", "Quel est le secteur de l'entreprise ? (par exemple : industrie, btp, "
         "commerce ; {p}secteurs pour la liste)"),
    Step("tools", "Quels outils a-t-elle utilisés ? Séparez-les par des virgules (par exemple : "
         "linkedin, facebook ; {p}outils pour la liste)."),
    Step("summary", "Racontez la réalisation en une seule phrase (300 caractères au plus)."),
    Step("title", "Un titre court ? (120 caractères au plus ; « - » pour passer)", True),
    Step("size", "Taille de l'entreprise : TPE, PME, ETI ou GE ? (« - » pour passer)", True),
    Step("region", "Région ou ville de l'entreprise ? (« - » pour passer)", True),
    Step("result", "Un résultat mesuré, par exemple « trois embauches en deux mois » ? "
         "(« - » pour passer)", True),
    Step("source", "Adresse de la source (article, vidéo…) commençant par http ? "
         "(« - » pour passer)", True),
)
STEP_NAMES = {"sector": "secteur", "tools": "outils", "summary": "résumé", "title": "titre",
              "size": "taille", "region": "région", "result": "résultat", "source": "source"}


@dataclass
class ProposalDialogue:
    """`!proposer` with no argument: one question at a time, then a preview to confirm."""

    workflow: Workflow
    step: int = 0
    values: dict = field(default_factory=dict)
    draft: Draft | None = None

    def question(self) -> Message:
        total = len(STEPS)
        p = self.workflow.prefix
        question = STEPS[self.step].question.replace("{p}", p)
        return Message(f"({self.step + 1}/{total}) {question} Tapez {p}annuler pour arrêter.")

    async def answer(self, assistant: Assistant, caller: Caller, text: str) -> list[Reply]:
        if self.draft is not None:
            return await self.confirm(assistant, caller, text)
        step = STEPS[self.step]
        value = text.strip()
        if step.optional and value.lower() in SKIP:
            self.values[step.attribute] = None
        else:
            draft = Draft(sector="", tools=[], summary="")
            try:
                self.workflow.validator.set_field(draft, STEP_NAMES[step.attribute], value)
            except WorkflowError as exc:
                return [Message("{text} Réessayez, ou tapez {cancel}.",
                                {"text": exc.message, "cancel": f"{self.workflow.prefix}annuler"},
                                tone="error")]
            self.values[step.attribute] = getattr(draft, step.attribute)
        self.step += 1
        if self.step < len(STEPS):
            return [self.question()]
        self.draft = Draft(**{k: v for k, v in self.values.items() if v is not None})
        card = SubmissionCard(0, "aperçu", caller.name, "", draft_fields(assistant, vars(
            self.draft)))
        intro = Message("Voici votre proposition :")
        footer = "Envoyer cette proposition ? Répondez « oui » pour confirmer, « non » pour "\
                 "abandonner."
        return [Submissions(intro, [card], footer, full=True)]

    async def confirm(self, assistant: Assistant, caller: Caller, text: str) -> list[Reply]:
        answer = text.strip().lower().rstrip(" !.")
        session = assistant.session(caller)
        if answer in NO:
            session.dialogue = None
            return [Message("Proposition abandonnée : rien n'a été envoyé.")]
        if answer not in YES:
            return [Message("Répondez « oui » pour envoyer la proposition, ou « non » pour "
                            "l'abandonner.", tone="warning")]
        session.dialogue = None
        assert self.draft is not None  # confirm() comes after the preview, which set it
        return await submit(assistant, caller, self.draft, caller.origin or "dialogue")


async def submit(assistant: Assistant, caller: Caller, draft: Draft, origin: str) -> list[Reply]:
    workflow = workflow_of(assistant)
    try:
        outcome = await workflow.submit(caller.id, caller.name, draft, origin)
    except WorkflowError as exc:
        return problems_reply(exc, assistant.prefix)
    text = (f"Merci ! Votre proposition #{outcome.number} est enregistrée ; un administrateur "
            f"va l'examiner. Suivez-la avec {assistant.prefix}mespropositions.")
    if outcome.duplicate_of:
        text += (f" Attention : elle ressemble beaucoup à {outcome.duplicate_of} ; les "
                 "administrateurs en sont avertis.")
    return [Message(text, tone="success")]


# -- member commands ----------------------------------------------------------------------


async def cmd_propose(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    if not args.strip():
        try:
            await workflow_of(bot).check_limits(caller.id)
        except WorkflowError as exc:
            return problems_reply(exc, bot.prefix)
        dialogue = ProposalDialogue(workflow_of(bot))
        bot.session(caller).dialogue = dialogue
        return [Message("Proposons un exemple ensemble."), dialogue.question()]
    try:
        draft = workflow_of(bot).validator.parse_line(args)
    except WorkflowError as exc:
        return problems_reply(exc, bot.prefix)
    return await submit(bot, caller, draft, caller.origin or "ligne")


async def cmd_cancel(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    session = bot.session(caller)
    if session.dialogue is None:
        return [Message("Rien à annuler.")]
    session.dialogue = None
    return [Message("C'est annulé : rien n'a été envoyé.")]


async def cmd_mine(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    subs = await workflow_of(bot).db.submissions(member_id=caller.id)
    if not subs:
        return [Message("Vous n'avez encore rien proposé. Partagez un exemple avec "
                        f"{bot.prefix}proposer.")]
    cards = [submission_card(bot, s) for s in reversed(subs[-10:])]
    intro = f"Vos propositions ({len(subs)}) :" if len(subs) <= 10 else \
        f"Vos propositions ({len(subs)}), les 10 plus récentes :"
    return [Submissions(Message(intro), cards)]


# -- admin commands -----------------------------------------------------------------------


async def cmd_pending(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    subs = await workflow_of(bot).db.submissions(status="pending")
    if not subs:
        return [Message("Aucune proposition en attente.")]
    shown = subs[:10]
    p = bot.prefix
    footer = f"Examinez-en une avec {p}voir N, puis {p}valider N ou {p}rejeter N MOTIF."
    if len(subs) > len(shown):
        left = len(subs) - len(shown)
        footer = f"… et {left} autre{'s' if left > 1 else ''}. " + footer
    intro = Message(f"{len(subs)} proposition{'s' if len(subs) > 1 else ''} en attente, "
                    "la plus ancienne d'abord :")
    return [Submissions(intro, [submission_card(bot, s) for s in shown], footer)]


async def cmd_view(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    try:
        number, _ = parse_number(args, f"{bot.prefix}voir 12")
        sub = await workflow_of(bot).get(number)
    except WorkflowError as exc:
        return problems_reply(exc, bot.prefix)
    p = bot.prefix
    footer = (f"{p}valider {number} · {p}rejeter {number} MOTIF · {p}modifier {number} "
              "champ=valeur"
              if sub.status == "pending" else None)
    return [Submissions(Message(f"Proposition #{number} :"), [submission_card(bot, sub)],
                        footer, full=True)]


async def cmd_edit(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    usage = f"{bot.prefix}modifier 12 titre=Une fonderie recrute sur LinkedIn"
    try:
        number, rest = parse_number(args, usage)
        name, sep, value = rest.partition("=")
        if not sep or not name.strip():
            raise WorkflowError(f"Format attendu : {usage} (un champ par commande).")
        sub = await workflow_of(bot).edit(number, caller.id, caller.name, name.strip(), value)
    except WorkflowError as exc:
        return problems_reply(exc, bot.prefix)
    return [Submissions(Message(f"Proposition #{number} modifiée :"),
                        [submission_card(bot, sub)], None, full=True)]


async def cmd_approve(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    try:
        number, _ = parse_number(args, f"{bot.prefix}valider 12")
        example_id = await workflow_of(bot).approve(number, caller.id, caller.name)
    except WorkflowError as exc:
        return problems_reply(exc, bot.prefix)
    target = workflow_of(bot).files.target
    return [Message(f"Proposition #{number} validée : publiée dans {target} sous l'identifiant "
                    f"{example_id}. Voir {bot.prefix}fiche {example_id}.", tone="success")]


async def cmd_reject(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    try:
        number, reason = parse_number(args, f"{bot.prefix}rejeter 12 source introuvable")
        await workflow_of(bot).reject(number, caller.id, caller.name, reason)
    except WorkflowError as exc:
        return problems_reply(exc, bot.prefix)
    return [Message(f"Proposition #{number} refusée ; le membre sera prévenu avec votre motif.",
                    tone="success")]


async def cmd_withdraw(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    example_id = args.strip().split()[0] if args.strip() else ""
    if not example_id:
        return [Message("Indiquez l'identifiant de l'exemple à retirer : "
                        f"{bot.prefix}retirer mon-exemple",
                        tone="warning")]
    try:
        file_name = await workflow_of(bot).withdraw(example_id, caller.id, caller.name)
    except WorkflowError as exc:
        return problems_reply(exc, bot.prefix)
    return [Message("Exemple « {id} » retiré de {file} ; son texte est gardé dans "
                    f"l'historique ({bot.prefix}historique).",
                    {"id": example_id, "file": file_name},
                    tone="success")]


async def cmd_reload(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    workflow = workflow_of(bot)
    result = await workflow.reload()
    await workflow.db.audit(caller.id, caller.name, "recharger", "la base", None,
                            {"problèmes": len(result.problems)})
    if result.problems:
        return problems_reply(WorkflowError(
            "La base contient des erreurs : la dernière version valide reste en service.",
            result.problems))
    return [Message(f"Base rechargée : {result.base.summary_line()}.", tone="success")]


async def cmd_stats(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    index = bot.index
    taxonomy = index.base.taxonomy
    sections = []
    for facet, title in zip(FACETS, ("Exemples par secteur", "par outil", "par usage"),
                            strict=True):
        counts = sorted(((index.count(facet, k), t.label) for k, t in
                         taxonomy.facets[facet].items()), key=lambda c: (-c[0], c[1]))
        sections.append((title, [f"{label} : {n}" for n, label in counts if n]))
    status = await workflow_of(bot).db.status_counts()
    sections.append(("Propositions", [f"{STATUS_LABELS[s]} : {n}" for s, n in
                                      sorted(status.items())]))
    top = await workflow_of(bot).db.top_queries(limit=10)
    sections.append(("Recherches les plus fréquentes",
                     [f"{clip(q[2], 60)} ({q[1]} fois)" for q in top]))
    return [Report(f"Statistiques ({len(index.examples)} exemples)", sections)]


async def cmd_gaps(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    gaps = await workflow_of(bot).db.top_queries(empty_only=True, limit=15)
    disliked = await workflow_of(bot).db.disliked()
    sections = [("Recherches restées sans réponse", [f"{clip(q[2], 60)} ({q[1]} fois)"
                                                      for q in gaps])]
    if disliked:
        sections.append(("Exemples jugés « pas utiles »",
                         [f"{i} ({n} vote{'s' if n > 1 else ''})" for i, n in disliked]))
    return [Report("Lacunes de la base", sections,
                   "Cherchez des exemples sourcés pour ces sujets, puis ajoutez-les.")]


FIELD_LABELS = {"sector": "secteur", "tools": "outils", "summary": "résumé", "title": "titre",
                "uses": "usages", "company": "nom", "size": "taille", "headcount": "effectif",
                "region": "région", "result": "résultat", "details": "détails",
                "source": "source", "id": "id"}
VALUE_LABELS = {"pending": "en attente", "approved": "validée", "rejected": "refusée",
                "publishing": "en cours de publication"}


def _describe_change(entry) -> str:
    def value(v) -> str:
        if isinstance(v, list):
            return ", ".join(map(str, v))
        if v is None:
            return "(vide)"
        return VALUE_LABELS.get(v, str(v)) if isinstance(v, str) else str(v)

    def short(d):
        if d is None:
            return "—"
        return clip(" ; ".join(f"{FIELD_LABELS.get(k, k)} = {value(v)}" for k, v in d.items()),
                    120)

    return f"avant : {short(entry.before)} ; après : {short(entry.after)}"


async def cmd_history(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
    target = None
    if args.strip():
        head = args.strip().split()[0]
        target = f"#{head.lstrip('#')}" if head.lstrip("#").isdigit() else head
    entries = await workflow_of(bot).db.history(target, limit=15)
    lines = [f"{e.at.replace('T', ' ')[:16]} — {e.actor_name} "
             f"{ACTION_LABELS.get(e.action, e.action)} {e.target} ({_describe_change(e)})"
             for e in entries]
    title = f"Historique de {target}" if target else "Historique récent"
    return [Report(title, [("Actions, la plus récente d'abord", lines)])]


def notice_reply(text: str) -> Message:
    try:
        data = json.loads(text)
        return Message(data["template"], data["params"], tone="info")
    except (ValueError, KeyError, TypeError):
        return Message("{text}", {"text": text})


async def deliver_console_notices(bot: Assistant, caller: Caller) -> list[Reply]:
    """Decisions on this member's submissions, shown on their next message."""
    replies: list[Reply] = []
    for row in await workflow_of(bot).db.undelivered(caller.id):
        replies.append(notice_reply(row["text"]))
        await workflow_of(bot).db.mark_delivered(row["id"])
    return replies


NUMERO = "numéro de la proposition (#12 : tapez 12)"
NUMBER = Param("numero", NUMERO, "number", required=True)

CURATION_COMMANDS = (
    Command("proposer", "proposer [SECTEUR | OUTILS | RÉSUMÉ | SOURCE]",
            "proposer un exemple (seul : je vous guide)",
            "Proposez une réalisation que vous connaissez. En une ligne : {p}proposer industrie "
            "| linkedin | Une fonderie recrute trois mouleurs grâce à LinkedIn. | "
            "https://exemple.fr/article — ou tapez {p}proposer seul pour répondre question par "
            "question. Un administrateur la relit avant publication.", cmd_propose,
            description="Proposer un exemple que vous connaissez (seul, ouvre un formulaire)",
            params=(Param("texte", "facultatif : SECTEUR | OUTILS | RÉSUMÉ | SOURCE", "rest"),),
            private=True),
    Command("annuler", "annuler", "arrêter la proposition en cours",
            "Abandonne la proposition guidée en cours ; rien n'est envoyé.", cmd_cancel,
            description="Arrêter la proposition en cours", private=True),
    Command("mespropositions", "mespropositions", "vos propositions et leur statut",
            "Liste vos propositions : en attente, validées (avec leur identifiant) ou refusées "
            "(avec le motif).", cmd_mine, description="Vos propositions et leur statut",
            private=True),
    Command("attente", "attente", "les propositions en attente", "Liste les propositions en "
            "attente, la plus ancienne d'abord, avec leur numéro et les doublons possibles.",
            cmd_pending, admin=True, private=True),
    Command("voir", "voir N", "le détail d'une proposition",
            "Affiche tous les champs de la proposition #N. Exemple : {p}voir 12", cmd_view,
            admin=True, private=True, params=(NUMBER,)),
    Command("modifier", "modifier N champ=valeur", "corriger une proposition avant validation",
            "Champs : titre, resume, secteur, outils, usages, nom, taille, effectif, region, "
            "resultats, details, source, id. Exemple : {p}modifier 12 titre=Une fonderie "
            "recrute sur LinkedIn", cmd_edit, admin=True, private=True,
            description="Corriger une proposition",
            params=(NUMBER, Param("modification", "champ=valeur, par exemple titre=Une fonderie "
                                  "recrute", "rest", required=True))),
    Command("valider", "valider N", "publier une proposition",
            "Publie la proposition #N dans le fichier d'exemples (commentaires et mise en forme "
            "conservés) et prévient son auteur. Exemple : {p}valider 12", cmd_approve, admin=True,
            private=True, params=(NUMBER,)),
    Command("rejeter", "rejeter N MOTIF", "refuser une proposition (motif transmis)",
            "Refuse la proposition #N ; le motif est transmis au membre. Exemple : "
            "{p}rejeter 12 source introuvable", cmd_reject, admin=True, private=True,
            description="Refuser une proposition",
            params=(NUMBER, Param("motif", "la raison du refus, transmise au membre", "rest"))),
    Command("retirer", "retirer ID", "dépublier un exemple (gardé dans l'historique)",
            "Retire l'exemple du fichier ; son texte reste dans l'historique et dans "
            "knowledge/.historique/. Exemple : {p}retirer mon-exemple", cmd_withdraw, admin=True,
            private=True, description="Dépublier un exemple",
            params=(Param("id", "identifiant de l'exemple à retirer (gardé dans l'historique)",
                          "example_id", required=True),)),
    Command("recharger", "recharger", "relire les fichiers de la base",
            "Relit les fichiers YAML ; en cas d'erreur, la dernière base valide reste en service "
            "et les erreurs sont affichées (FICHIER:LIGNE).", cmd_reload, admin=True,
            private=True),
    Command("stats", "stats", "chiffres de la base et des recherches",
            "Exemples par secteur, outil et usage ; propositions par statut ; recherches les plus "
            "fréquentes.", cmd_stats, admin=True, private=True,
            description="Les chiffres de la base et des recherches"),
    Command("lacunes", "lacunes", "les recherches restées sans réponse",
            "Les recherches les plus fréquentes qui n'ont rien trouvé, et les exemples jugés peu "
            "utiles : ce que les curateurs devraient chercher ensuite.", cmd_gaps, admin=True,
            private=True),
    Command("historique", "historique [N|ID]", "qui a fait quoi, quand",
            "Le journal des actions (propositions, modifications, décisions, retraits), avec "
            "l'avant et l'après. Exemple : {p}historique 12", cmd_history, admin=True,
            private=True, params=(Param("cible", "numéro de proposition ou identifiant "
                                        "d'exemple (facultatif)"),)),
)


def _guarded(command: Command) -> Command:
    """The command, with state-database failures turned into a French answer."""
    handler = command.handler

    async def guarded(bot: Assistant, caller: Caller, args: str) -> list[Reply]:
        try:
            replies = await handler(bot, caller, args)
        except StorageError as exc:
            workflow_of(bot).note_storage_problem(exc.message)
            return [Message("{text} Rien n'a été perdu : réessayez plus tard, ou prévenez un "
                            "administrateur.", {"text": exc.message}, tone="error")]
        problem = workflow_of(bot).storage_problem
        if problem and caller.is_admin and command.admin:
            replies = [Message("Attention : {text} Les recherches continuent de répondre ; "
                               "libérez de la place ou rendez le fichier inscriptible.",
                               {"text": problem}, tone="warning"), *replies]
        return replies

    return replace(command, handler=guarded)


def install(assistant: Assistant, workflow: Workflow) -> None:
    assistant.workflow = workflow
    for command in CURATION_COMMANDS:
        assistant.register(_guarded(command))

    async def log_search(caller: Caller, query: str, total: int) -> None:
        try:
            await workflow.db.log_query(caller.id, query, " ".join(words(query)), total)
        except StorageError as exc:  # the search still answers; admins are told
            workflow.note_storage_problem(exc.message)

    # a hook Assistant lets a module replace (a method there, hence the ignore)
    assistant.on_search = log_search
