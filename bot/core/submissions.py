"""The submission workflow: members propose, admins review, approved examples land in the YAML.

Publishing is exactly-once: a submission is first claimed ('publishing', with its example id),
then the example is written to the knowledge file, then the submission is marked 'approved'.
All three steps run under the folder's lock; at start-up `reconcile` settles any submission a
crash left in 'publishing' by looking for its id in the files.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz import fuzz

from bot.core.knowledge import (
    SIZES,
    SLUG,
    TITLE_MAX,
    LoadResult,
    Problem,
    check_summary,
    check_url,
    did_you_mean,
    quote,
)
from bot.core.ports import (
    KnowledgeWriteError,
    KnowledgeWriter,
    StaleBase,
    StorageError,
    Submission,
    SubmissionStore,
)
from bot.core.service import KnowledgeService
from bot.core.text import fold, slugify

log = logging.getLogger(__name__)
MAX_NUMBER = 2**62  # submission numbers are SQLite integers: anything larger does not exist
STALE_RETRIES = 5

DUPLICATE_THRESHOLD = 85
REASON_MAX = 500
SOURCE_MAX = 500
FIELD_MAX = 500
EDITABLE = {
    "titre": "title", "resume": "summary", "résumé": "summary", "secteur": "sector",
    "outils": "tools", "usages": "uses", "nom": "company", "entreprise": "company",
    "taille": "size", "region": "region", "région": "region", "effectif": "headcount",
    "resultats": "result", "résultats": "result", "resultat": "result", "résultat": "result",
    "details": "details", "détails": "details", "source": "source", "id": "id",
}
STATUS_LABELS = {
    "pending": "en attente", "publishing": "en cours de publication", "approved": "validée",
    "rejected": "refusée",
}


class WorkflowError(Exception):
    """A request the workflow refuses. Subclasses carry data; `bot.core.curation.describe`
    turns them into French at the edge. A plain WorkflowError carries its French `message`."""

    def __init__(self, message: str = "", problems: list[Problem] | None = None):
        super().__init__(message or type(self).__name__)
        self.message = message
        self.problems = problems or []


class InvalidValue(WorkflowError):
    """A member-provided value that does not fit; `field` names it (e.g. "secteur")."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class NoSuchSubmission(WorkflowError):
    def __init__(self, number: int):
        super().__init__()
        self.number = number


class AlreadyDecided(WorkflowError):
    def __init__(self, number: int, status: str, decided_by: str | None):
        super().__init__()
        self.number, self.status, self.decided_by = number, status, decided_by


class DecidedMeanwhile(WorkflowError):
    """Another admin (or process) decided on the submission a moment ago."""

    def __init__(self, number: int):
        super().__init__()
        self.number = number


class IdTaken(WorkflowError):
    def __init__(self, example_id: str, number: int | None = None):
        super().__init__()
        self.example_id, self.number = example_id, number


class LimitReached(WorkflowError):
    """kind: "pending" (too many awaiting review) or "day" (too many in 24 hours)."""

    def __init__(self, kind: str, count: int, limit: int):
        super().__init__()
        self.kind, self.count, self.limit = kind, count, limit


class MissingReason(WorkflowError):
    def __init__(self, number: int):
        super().__init__()
        self.number = number


class WriteRefused(WorkflowError):
    """The knowledge files could not be changed. action: "Publication" or "Retrait";
    `reason` is already French (it comes from the writer or the state database)."""

    def __init__(self, action: str, reason: str, problems: list[Problem] | None = None,
                 kept_pending: bool = False):
        super().__init__(problems=problems)
        self.action, self.reason, self.kept_pending = action, reason, kept_pending


class GoneExample(WorkflowError):
    def __init__(self, example_id: str):
        super().__init__()
        self.example_id = example_id


@dataclass
class Limits:
    max_pending: int = 5
    max_per_day: int = 10


@dataclass
class Draft:
    """A proposed example, as the member gave it (keys resolved, values checked)."""

    sector: str
    tools: list[str]
    summary: str
    title: str | None = None
    uses: list[str] = field(default_factory=list)
    company: str | None = None
    size: str | None = None
    headcount: int | None = None
    region: str | None = None
    result: str | None = None
    details: str | None = None
    source: str | None = None
    id: str | None = None

    @classmethod
    def from_data(cls, data: dict) -> Draft:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def effective_title(self) -> str:
        if self.title:
            return self.title
        text = self.summary.rstrip(" .")
        if len(text) <= TITLE_MAX:
            return text
        return text[: TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"


class Validator:
    """Checks member-provided values against the taxonomy in service; French errors."""

    def __init__(self, knowledge: KnowledgeService, prefix: str = "!"):
        self.knowledge = knowledge
        self.prefix = prefix

    @property
    def taxonomy(self):
        return self.knowledge.base.taxonomy

    def facet(self, facet: str, value: str, name: str) -> str:
        value = value.strip()
        if not value:
            raise InvalidValue(name, f"Indiquez un {name}.")
        key = self.taxonomy.resolve(facet, value)
        if key is None:
            hint = did_you_mean(self.taxonomy.suggest(facet, value))
            raise InvalidValue(name, f"{name.capitalize()} inconnu {quote(value[:60])}{hint}. "
                                f"Tapez {self.prefix}{facet} pour la liste.")
        return key

    def sector(self, value: str) -> str:
        return self.facet("secteurs", value, "secteur")

    def keys(self, facet: str, value: str, name: str, required: bool) -> list[str]:
        parts = [p for p in (x.strip() for x in value.replace(";", ",").split(",")) if p]
        if not parts and required:
            raise InvalidValue(
                name, f"Indiquez au moins un {name} (séparés par des virgules).")
        keys = []
        for part in parts:
            key = self.facet(facet, part, name)
            if key not in keys:
                keys.append(key)
        return keys

    def tools(self, value: str) -> list[str]:
        return self.keys("outils", value, "outil", required=True)

    def uses(self, value: str) -> list[str]:
        return self.keys("usages", value, "usage", required=False)

    @staticmethod
    def summary(value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise InvalidValue(
                "résumé", "Le résumé est vide : racontez la réalisation en une phrase.")
        if not any(c.isalnum() for c in value):
            raise InvalidValue(
                "résumé", "Le résumé ne contient aucun mot : racontez la réalisation en une "
                "phrase.")
        reason = check_summary(value)
        if reason:
            raise InvalidValue("résumé", reason[0].upper() + reason[1:] + ".")
        return value

    @staticmethod
    def title(value: str) -> str:
        value = " ".join(value.split())
        if len(value) > TITLE_MAX:
            raise InvalidValue(
                "titre", f"Le titre fait {len(value)} caractères : {TITLE_MAX} au plus.")
        return value

    @staticmethod
    def size(value: str) -> str:
        upper = value.strip().upper()
        if upper not in SIZES:
            raise InvalidValue(
                "taille", f"Taille {quote(value.strip()[:20])} inconnue : répondez TPE, "
                "PME, ETI ou GE.")
        return upper

    @staticmethod
    def source(value: str) -> str:
        value = value.strip().strip("<>")
        if len(value) > SOURCE_MAX:
            raise InvalidValue("source", f"Adresse trop longue : {SOURCE_MAX} caractères au plus.")
        reason = check_url(value)
        if reason:
            raise InvalidValue("source", f"Source {quote(value[:100])} invalide : {reason}.")
        return value

    @staticmethod
    def text(value: str, name: str) -> str:
        value = " ".join(value.split())
        if len(value) > FIELD_MAX:
            raise InvalidValue(name, f"{name} : {FIELD_MAX} caractères au plus.")
        return value

    @staticmethod
    def headcount(value: str) -> int:
        if not (value.strip().isascii() and value.strip().isdigit()):
            raise InvalidValue("effectif", "L'effectif doit être un nombre entier de salariés.")
        return int(value.strip())

    @staticmethod
    def example_id(value: str) -> str:
        value = value.strip()
        if not SLUG.match(value):
            raise InvalidValue("id", "Identifiant invalide : minuscules sans accents, chiffres et "
                                "tirets seulement (par exemple fonderie-linkedin).")
        return value

    def parse_line(self, text: str) -> Draft:
        """`SECTEUR | OUTILS | RÉSUMÉ [| SOURCE]`, every problem reported at once."""
        parts = [p.strip() for p in text.split("|")]
        if len(parts) < 3 or len(parts) > 4:
            p = self.prefix
            raise InvalidValue(
                "format",
                f"Format attendu : {p}proposer SECTEUR | OUTILS | RÉSUMÉ [| SOURCE] — par exemple "
                f"{p}proposer industrie | linkedin | Une fonderie recrute trois mouleurs grâce à "
                f"LinkedIn. | https://exemple.fr/article — ou tapez {p}proposer seul pour être "
                "guidé.")
        errors: list[str] = []
        values: dict[str, Any] = {}  # Draft's fields, each as its check returns it
        checks = [("sector", self.sector, parts[0]), ("tools", self.tools, parts[1]),
                  ("summary", self.summary, parts[2])]
        if len(parts) == 4 and parts[3]:
            checks.append(("source", self.source, parts[3]))
        for name, check, value in checks:
            try:
                values[name] = check(value)
            except WorkflowError as exc:
                errors.append(exc.message)
        if errors:
            raise WorkflowError(" ".join(errors))
        return Draft(**values)

    def set_field(self, draft: Draft, name: str, value: str) -> tuple[str, object]:
        """Change one field of a draft from a `champ=valeur` edit; returns (attribute, value)."""
        attribute = EDITABLE.get(fold(name).replace(" ", "_") if name not in EDITABLE else name)
        if attribute is None:
            names = ", ".join(sorted({k for k in EDITABLE if k.isascii()}))
            raise InvalidValue(
                "champ", f"Champ {quote(name[:30])} inconnu. Champs modifiables : {names}.")
        empty = not value.strip() or value.strip() == "-"
        optional = attribute not in ("sector", "tools", "summary")
        if empty and optional:
            setattr(draft, attribute, [] if attribute == "uses" else None)
            return attribute, getattr(draft, attribute)
        checkers = {
            "title": self.title, "summary": self.summary, "sector": self.sector,
            "tools": self.tools, "uses": self.uses, "size": self.size, "source": self.source,
            "headcount": self.headcount, "id": self.example_id,
        }
        check = checkers.get(attribute) or (lambda v: self.text(v, name))
        checked = check(value)
        setattr(draft, attribute, checked)
        return attribute, checked


class ModerationListener:
    """What a platform does on the workflow's events (subscribe with
    `workflow.listeners.append(...)`): post a new submission, refresh its moderation post when
    it is edited or decided, and tell the member of a decision."""

    assistant: Any  # the core's Assistant, whose `.workflow` this listens to

    async def submitted(self, number: int) -> None:
        """Post the new submission #number in the platform's moderation channel."""

    async def refresh_moderation_message(self, number: int) -> None:
        """Show the submission's current state in the platform's moderation post."""

    async def deliver_notices(self, member_id: str) -> None:
        """Send the member the notices waiting for them, if they are on this platform."""

    async def edited(self, number: int) -> None:
        await self.refresh_moderation_message(number)

    async def decided(self, number: int) -> None:
        await self.refresh_moderation_message(number)
        sub = await self.assistant.workflow.get(number)
        await self.deliver_notices(sub.member_id)


@dataclass
class SubmitOutcome:
    number: int
    duplicate_of: str | None


class Workflow:
    """Submissions from members to the knowledge files, through the admins' decisions.

    Every piece of file work runs in a worker thread (`asyncio.to_thread`): the event loop keeps
    answering members while an approval waits for the folder's lock or writes a big file.
    """

    def __init__(self, db: SubmissionStore, knowledge: KnowledgeService, files: KnowledgeWriter,
                 limits: Limits | None = None, prefix: str = "!"):
        self.db = db
        self.knowledge = knowledge
        self.files = files
        self.limits = limits or Limits()
        self.prefix = prefix
        self.validator = Validator(knowledge, prefix)
        self._publish_lock = asyncio.Lock()
        # Adapters subscribe to be told of new submissions and decisions (Discord posts them).
        self.listeners: list = []
        # A state write that failed (read-only or full database): told to admins, logged once.
        self.storage_problem: str | None = None

    async def _tell(self, event: str, number: int) -> None:
        for listener in list(self.listeners):
            method = getattr(listener, event, None)
            if method is None:
                continue
            try:
                await method(number)
            except Exception:  # one platform failing never keeps the others uninformed
                log.exception("listener %r failed on %s #%s", listener, event, number)

    async def vote(self, member_id: str, example_id: str, value: int) -> None:
        """A member finds an example useful (+1) or not (-1); feeds ranking tie-breaks."""
        if self.knowledge.base.get(example_id) is None:
            raise GoneExample(example_id)
        await self.db.vote(example_id, member_id, 1 if value > 0 else -1)
        index = self.knowledge.index
        assert index is not None, "knowledge not loaded"
        index.set_votes(await self.db.net_votes())

    # -- members --------------------------------------------------------------------------

    async def check_limits(self, member_id: str) -> None:
        since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat(timespec="seconds")
        pending, today = await self.db.count_member_submissions(member_id, since)
        if pending >= self.limits.max_pending:
            raise LimitReached("pending", pending, self.limits.max_pending)
        if today >= self.limits.max_per_day:
            raise LimitReached("day", today, self.limits.max_per_day)

    async def find_duplicate(self, draft: Draft, exclude: int | None = None) -> str | None:
        """An existing example id or a pending `#N` that says nearly the same thing."""
        wanted = fold(draft.summary)
        index = self.knowledge.index
        assert index is not None, "knowledge not loaded"
        for hit in index.search(draft.summary, limit=5).hits:
            for text in (hit.example.summary, hit.example.title):
                if fuzz.token_set_ratio(wanted, fold(text)) >= DUPLICATE_THRESHOLD:
                    return hit.example.id
        for sub in await self.db.submissions(status="pending"):
            if sub.id == exclude:
                continue
            other = fold(sub.data.get("summary", ""))
            if fuzz.token_set_ratio(wanted, other) >= DUPLICATE_THRESHOLD:
                return f"#{sub.id}"
        return None

    async def submit(self, member_id: str, member_name: str, draft: Draft,
                     origin: str = "") -> SubmitOutcome:
        await self.check_limits(member_id)
        duplicate = await self.find_duplicate(draft)
        data = {k: v for k, v in asdict(draft).items() if v not in (None, [], "")}
        number = await self.db.add_submission(member_id, member_name, data, duplicate, origin)
        await self.db.audit(member_id, member_name, "proposer", f"#{number}", None, data)
        await self._tell("submitted", number)
        return SubmitOutcome(number, duplicate)

    # -- admins ---------------------------------------------------------------------------

    async def get(self, number: int) -> Submission:
        if not 0 < number < MAX_NUMBER:
            raise NoSuchSubmission(number)
        sub = await self.db.submission(number)
        if sub is None:
            raise NoSuchSubmission(number)
        return sub

    async def get_pending(self, number: int) -> Submission:
        sub = await self.get(number)
        if sub.status != "pending":
            raise AlreadyDecided(number, sub.status, sub.decided_by)
        return sub

    async def edit(self, number: int, admin_id: str, admin_name: str, name: str,
                   value: str) -> Submission:
        async with self._publish_lock:
            return await self._edit(number, admin_id, admin_name, name, value)

    async def _edit(self, number: int, admin_id: str, admin_name: str, name: str,
                    value: str) -> Submission:
        sub = await self.get_pending(number)
        draft = Draft.from_data(sub.data)
        before = dict(sub.data)
        attribute, _ = self.validator.set_field(draft, name, value)
        if (attribute == "id" and draft.id is not None
                and self.knowledge.base.get(draft.id) is not None):
            raise IdTaken(draft.id)
        data = {k: v for k, v in asdict(draft).items() if v not in (None, [], "")}
        duplicate = await self.find_duplicate(draft, exclude=number)
        if not await self.db.update_if_pending(number, data=data, duplicate_of=duplicate):
            raise DecidedMeanwhile(number)
        changed = sorted(k for k in set(before) | set(data) if before.get(k) != data.get(k))
        await self.db.audit(admin_id, admin_name, "modifier", f"#{number}",
                            {k: before.get(k) for k in changed}, {k: data.get(k) for k in changed})
        await self._tell("edited", number)
        return await self.get(number)

    def new_example_id(self, draft: Draft) -> str:
        if draft.id:
            return draft.id
        base_id = slugify(draft.effective_title())
        taken = self.knowledge.base.by_id
        candidate, n = base_id, 2
        while candidate in taken:
            candidate, n = f"{base_id}-{n}", n + 1
        return candidate

    @staticmethod
    def example_dict(sub: Submission, example_id: str) -> dict:
        draft = Draft.from_data(sub.data)
        company = {k: v for k, v in (("nom", draft.company), ("taille", draft.size),
                                     ("effectif", draft.headcount), ("region", draft.region))
                   if v not in (None, "")}
        return {
            "id": example_id, "titre": draft.effective_title(), "resume": draft.summary,
            "secteur": draft.sector, "outils": draft.tools, "usages": draft.uses,
            "entreprise": company, "resultats": draft.result, "details": draft.details,
            "sources": [draft.source] if draft.source else [],
            "contributeur": sub.member_name,
            "ajoute_le": dt.date.today().isoformat(),
        }

    # -- publishing (file work off the event loop) ----------------------------------------

    def _expected(self, name: str) -> tuple[int, int] | None:
        """(mtime_ns, size) of a knowledge file when the base in service was read."""
        for entry in self.knowledge.fingerprint:
            if entry[0] == name:
                return entry[1], entry[2]
        return None

    def _wrote(self, name: str) -> None:
        """Our own write is not a hand edit: record the file's new state in the fingerprint,
        leaving the other files' entries as they were read (their hand edits stay visible)."""
        try:
            st = (self.knowledge.folder / name).stat()
        except OSError:
            return
        entries = [e for e in self.knowledge.fingerprint if e[0] != name]
        entries.append((name, st.st_mtime_ns, st.st_size))
        self.knowledge.fingerprint = tuple(sorted(entries))

    async def reload(self) -> LoadResult:
        """Re-read the knowledge files in a worker thread; the old index answers meanwhile.

        Serialised with approvals so a reload never drops an example just published."""
        async with self._publish_lock:
            return await asyncio.to_thread(self.knowledge.load)

    async def _reload_for_write(self, action: str = "Publication") -> None:
        result = await asyncio.to_thread(self.knowledge.load)
        if result.problems:
            raise WriteRefused(action, "les fichiers de la base ont été modifiés et contiennent "
                               "des erreurs ; corrigez-les d'abord", result.problems,
                               kept_pending=action == "Publication")

    async def approve(self, number: int, admin_id: str, admin_name: str) -> str:
        async with self._publish_lock:
            if self.knowledge.changed_on_disk():
                await self._reload_for_write()
            sub = await self.get_pending(number)
            example_id = self.new_example_id(Draft.from_data(sub.data))
            if self.knowledge.base.get(example_id) is not None:
                raise IdTaken(example_id, number)
            try:
                claimed = await self.db.claim_for_publishing(number, example_id, admin_name)
            except StorageError as exc:
                raise WriteRefused("Publication", exc.message.rstrip("."),
                                   kept_pending=True) from exc
            if not claimed:
                raise DecidedMeanwhile(number)
            try:
                outcome = await self._write_example(self.example_dict(sub, example_id))
            except BaseException as exc:
                # whatever went wrong (invalid file, full disk, lock timeout), the
                # submission goes back to pending: nothing was published
                await self._back_to_pending(number)
                if isinstance(exc, KnowledgeWriteError):
                    raise WriteRefused("Publication", exc.message, exc.problems,
                                       kept_pending=True) from exc
                if isinstance(exc, OSError):
                    raise WriteRefused("Publication", "le fichier n'a pas pu être écrit "
                                       f"({exc.strerror or exc})", kept_pending=True) from exc
                raise
            if outcome.example is not None:
                await asyncio.to_thread(self.knowledge.apply_added, [outcome.example])
                if not outcome.stale:  # else the hand edits found are read at the next reload
                    self._wrote(outcome.file.name)
            elif self.knowledge.base.get(example_id) is None:
                await asyncio.to_thread(self.knowledge.load)
            try:
                await self._mark_approved(sub, example_id, admin_id, admin_name)
            except StorageError as exc:
                # published in the file; the next start-up marks it approved (reconcile)
                self.note_storage_problem(exc.message)
        await self._tell("decided", number)
        return example_id

    async def _write_example(self, example: dict):
        """Append in a worker thread (the lock wait included)."""
        base = self.knowledge.base
        expected = self._expected(self.files.target)
        return await asyncio.to_thread(self.files.add_example, example, base, expected)

    async def _back_to_pending(self, number: int) -> None:
        try:
            await self.db.update_submission(number, status="pending", example_id=None,
                                            decided_by=None)
        except StorageError as exc:
            # the state database refuses writes: the submission stays 'publishing' on disk,
            # and the next start-up settles it (reconcile) as it is not in the files
            self.note_storage_problem(exc.message)

    def note_storage_problem(self, message: str) -> None:
        if self.storage_problem is None:
            log.error("state database write failed: %s", message)
        self.storage_problem = message

    async def _mark_approved(self, sub: Submission, example_id: str, admin_id: str,
                             admin_name: str) -> None:
        await self.db.update_submission(sub.id, status="approved", example_id=example_id,
                                        decided_by=admin_name, decided_at=_now())
        await self.db.audit(admin_id, admin_name, "valider", f"#{sub.id}", {"statut": "pending"},
                            {"statut": "approved", "id": example_id})
        await self.db.notify(sub.member_id, sub.id, _notice(
            "Bonne nouvelle : votre proposition #{number} a été validée et publiée ! "
            "Retrouvez-la avec {command}.", number=str(sub.id),
            command=f"{self.prefix}fiche {example_id}"))

    async def reject(self, number: int, admin_id: str, admin_name: str, reason: str) -> None:
        reason = " ".join(reason.split())
        if not reason:
            raise MissingReason(number)
        if len(reason) > REASON_MAX:
            raise InvalidValue("motif", f"Motif trop long : {REASON_MAX} caractères au plus.")
        async with self._publish_lock:
            sub = await self.get_pending(number)
            if not await self.db.update_if_pending(number, status="rejected", reason=reason,
                                                   decided_by=admin_name, decided_at=_now()):
                raise DecidedMeanwhile(number)
        await self.db.audit(admin_id, admin_name, "rejeter", f"#{number}",
                            {"statut": "pending"}, {"statut": "rejected", "motif": reason})
        await self.db.notify(sub.member_id, number, _notice(
            "Votre proposition #{number} n'a pas été retenue. Motif : {reason}",
            number=str(number), reason=reason))
        await self._tell("decided", number)

    async def withdraw(self, example_id: str, admin_id: str, admin_name: str) -> str:
        example_id = example_id.strip().lower()
        async with self._publish_lock:
            if self.knowledge.changed_on_disk():
                await self._reload_for_write("Retrait")
            for _ in range(STALE_RETRIES):
                try:
                    path, removed = await asyncio.to_thread(
                        self.files.remove_example, example_id, self.knowledge.base,
                        self._expected)
                    break
                except StaleBase:
                    await self._reload_for_write("Retrait")
                except KnowledgeWriteError as exc:
                    raise WriteRefused("Retrait", exc.message, exc.problems) from exc
            else:
                raise WriteRefused("Retrait", "le fichier change sans arrêt ; réessayez dans un "
                                   "moment")
            await asyncio.to_thread(self.knowledge.apply_removed, [example_id])
            self._wrote(path.name)
        try:
            await self.db.audit(admin_id, admin_name, "retirer", example_id,
                                {"fichier": path.name, "yaml": removed}, None)
        except StorageError as exc:
            self.note_storage_problem(exc.message)
        return path.name

    async def reconcile(self) -> list[tuple[int, str]]:
        """Settle the submissions a crash left half-published: (number, new status)."""
        settled: list[tuple[int, str]] = []
        if not await self.db.submissions(status="publishing", limit=1):
            return settled  # nothing to settle: leave the knowledge folder untouched

        def under_lock() -> None:
            with self.files.locked():
                self.files.cleanup()
                self.knowledge.load()

        async with self._publish_lock:
            await asyncio.to_thread(under_lock)
            for sub in await self.db.submissions(status="publishing"):
                if sub.example_id and self.knowledge.base.get(sub.example_id) is not None:
                    await self._mark_approved(sub, sub.example_id, "bot",
                                              sub.decided_by or "bot")
                    settled.append((sub.id, "approved"))
                else:
                    await self.db.update_submission(sub.id, status="pending",
                                                    example_id=None, decided_by=None)
                    settled.append((sub.id, "pending"))
        return settled


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n > 1 else ''}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _notice(template: str, **params: str) -> str:
    import json

    return json.dumps({"template": template, "params": params}, ensure_ascii=False)
