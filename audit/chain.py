"""The audit trail's hash chain: tamper-evident, and still true after a person's erasure.

Each event gets, once, when it is **sealed**:

- `content_hash` = SHA-256(salt ‖ canonical JSON of the free text: `target_repr`, `data`), with a
  random per-row salt;
- `chain_hash` = SHA-256(previous chain hash ‖ canonical JSON of seq, id, time, actor **id**,
  action, target type and id, `content_hash`).

The chain hashes who acted by their id, never their name, and the free text only through
`content_hash`. So an erasure (accounts.erasure) can replace a name in `target_repr`/`data` with a
pseudonym without breaking the chain: the row keeps its `content_hash`, its salt is emptied (the old
text can no longer be confirmed by guessing it) and `redacted_by_event` names the erasure event,
which is itself chained and lists every row it redacted. `verify()` then checks: every chain link;
every unredacted row's content; every redacted row named by the erasure that redacted it.

Sealing is lazy (beat, `verify()` and erasure call `seal()`), in its own short transaction under an
advisory lock, in the order rows are found committed: writers never wait for each other.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from .models import AuditEvent

GENESIS = "0" * 64
ERASURE_ACTION = "person.erased"
_LOCK_KEY = 0x6175646974  # "audit": one advisory lock for whoever seals
_BATCH = 500


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def content_digest(salt: str, target_repr: str, data: Any) -> str:
    return hashlib.sha256(salt.encode() + _canonical({"target_repr": target_repr, "data": data})).hexdigest()


def link_digest(previous: str, event: AuditEvent, seq: int, content_hash: str) -> str:
    body = {
        "seq": seq,
        "id": event.pk,
        "created_at": event.created_at.isoformat(),
        "actor": event.actor_id,
        "action": event.action,
        "target_type": event.target_type_id,
        "target_id": event.target_id,
        "content": content_hash,
    }
    return hashlib.sha256(previous.encode() + _canonical(body)).hexdigest()


def seal() -> int:
    """Chain every committed event not sealed yet, in id order after the last sealed one. Returns how many."""
    sealed = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values("seq", "chain_hash").first()
        seq: int = (last["seq"] or 0) if last else 0
        previous: str = last["chain_hash"] if last else GENESIS
        while True:
            batch = list(AuditEvent.objects.filter(chain_hash="").order_by("id")[:_BATCH])
            if not batch:
                break
            for event in batch:
                seq += 1
                event.seq = seq
                event.content_salt = secrets.token_hex(16)
                event.content_hash = content_digest(event.content_salt, event.target_repr, event.data)
                event.chain_hash = previous = link_digest(previous, event, seq, event.content_hash)
            AuditEvent.objects.bulk_update(batch, ["seq", "content_salt", "content_hash", "chain_hash"])
            sealed += len(batch)
    return sealed


@dataclass
class Verification:
    checked: int = 0
    redacted: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify() -> Verification:
    """Seal what is waiting, then walk the whole chain. `problems` names each row that does not hold."""
    seal()
    result = Verification()
    erasures: dict[int, set[int]] = {
        pk: set(data.get("redacted_events", []))
        for pk, data in AuditEvent.objects.filter(action=ERASURE_ACTION).values_list("pk", "data")
    }
    previous, expected_seq = GENESIS, 1
    for event in AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000):
        result.checked += 1
        if event.seq != expected_seq:
            result.problems.append(f"event {event.pk}: sequence {event.seq}, expected {expected_seq}")
        expected_seq = (event.seq or 0) + 1
        if link_digest(previous, event, event.seq or 0, event.content_hash) != event.chain_hash:
            result.problems.append(f"event {event.pk}: chain hash does not match")
        previous = event.chain_hash
        if event.redacted_by_event is None:
            if content_digest(event.content_salt, event.target_repr, event.data) != event.content_hash:
                result.problems.append(f"event {event.pk}: content does not match its hash")
        else:
            result.redacted += 1
            if event.pk not in erasures.get(event.redacted_by_event, set()):
                result.problems.append(f"event {event.pk}: redacted without an erasure naming it")
    return result


def loose_pattern(needle: str) -> str:
    """A case-insensitive PostgreSQL regular expression finding `needle` with any run of white space
    between its words ("Rosa  Sierra Green" as well as "Rosa Sierra Green")."""
    return r"\s+".join(re.escape(word) for word in needle.split())


def rows_mentioning(needles: Iterable[str], *, person_id: int | None = None, rewrite: Any = None) -> list[int]:
    """The ids of sealed events about one person: those whose target is the person (`person_id`, a
    user's id) or whose free text contains any of `needles` (case-insensitive; the caller passes the
    full name's forms and the e-mail, never separate name words). With `rewrite`, only the rows it
    would actually change: a row that merely shares a word with the needles is left alone."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    patterns = [loose_pattern(n) for n in needles if n.strip()]
    clauses = ["target_repr ~* %s OR data::text ~* %s"] * len(patterns)
    params: list[Any] = []
    for pattern in patterns:
        params += [pattern, pattern]
    if person_id is not None:
        clauses.append("(target_type_id = %s AND target_id = %s)")
        params += [ContentType.objects.get_for_model(get_user_model()).pk, str(person_id)]
    if not clauses:
        return []
    with connection.cursor() as cursor:
        where = " OR ".join(clauses)
        cursor.execute(
            f"SELECT id, target_repr, data FROM audit_auditevent WHERE chain_hash <> '' AND ({where}) ORDER BY id",  # noqa: S608
            params,
        )
        rows = cursor.fetchall()
    found = []
    for pk, target_repr, data in rows:
        data = json.loads(data) if isinstance(data, str) else data
        if rewrite is None or rewrite(target_repr) != target_repr or _rewrite_json(data, rewrite) != data:
            found.append(pk)
    return found


def redact(event_ids: Iterable[int], *, erasure: AuditEvent, rewrite: Any) -> int:
    """Rewrite sealed rows' free text with `rewrite(text) -> text` (applied to target_repr and every
    string inside data), for the erasure event `erasure`, which must list them in data["redacted_events"]."""
    listed = set(erasure.data.get("redacted_events", []))
    count = 0
    for event in AuditEvent.objects.filter(pk__in=list(event_ids)).order_by("id"):
        if event.pk not in listed or not event.chain_hash:
            raise ValueError(f"event {event.pk} is not sealed or not listed by erasure {erasure.pk}")
        AuditEvent.objects.filter(pk=event.pk).update(
            target_repr=rewrite(event.target_repr)[: AuditEvent.target_repr.field.max_length],
            data=_rewrite_json(event.data, rewrite),
            content_salt="",
            redacted_by_event=erasure.pk,
        )
        count += 1
    return count


def _rewrite_json(value: Any, rewrite: Any) -> Any:
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, list):
        return [_rewrite_json(v, rewrite) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite_json(v, rewrite) for k, v in value.items()}  # keys are structure: kept
    return value
