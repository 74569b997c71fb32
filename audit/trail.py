"""Writing the trail (inside the caller's transaction, or `shown`: a page view in a
transaction of its own) and reading it, newest first, a page at a time.

A row's detail is a code ("duplicate"), a list of codes ("personal,insurance"), or, for
what a page showed, fields: "status=pending page=2 ids=3-7,9" (request ids, runs of
consecutive ids written as a range).  `detail_of` builds it from codes and whole numbers
only, so nothing anyone typed (a search term, a name) can reach it; `fields_of` reads it
back.  Times are never written into it as text a person reads: the audit page shows
them in the practice's zone."""
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context, request

from database import write_transaction
from extensions import db

from .actions import ACTIONS
from .models import AuditEvent

PAGE = 100
CODE = re.compile(r"[a-z0-9_]{1,40}")


def client_address() -> str:
    """The client's address as the app sees it (TRUSTED_PROXIES decides), or ""."""
    return (request.remote_addr or "")[:45] if has_request_context() else ""


def record(actor, action: str, request_id: int | None = None, detail: str = "",
           ip: str | None = None) -> AuditEvent:
    """Add one row to the caller's write transaction.  `actor` is a staff member or
    a patient's account (its `kind`); the row is at the actor's practice, and names
    the staff member (None for the patient).  `ip`: the client's address by default."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r} (audit/actions.py)")
    event = AuditEvent(practice_id=actor.practice_id,
                       staff_id=actor.id if actor.kind == "staff" else None,
                       action=action, request_id=request_id, detail=detail,
                       ip=client_address() if ip is None else ip[:45])
    db.session.add(event)
    return event


def shown(actor, action: str, request_id: int | None = None, **fields) -> AuditEvent:
    """A page showed patients' data (a queue page, a search's results, a request):
    ONE row, in a write transaction of its own (database.write_transaction), whatever
    the number of requests on the page.  `fields` as for `detail_of`."""
    with write_transaction():
        return record(actor, action, request_id, detail_of(**fields))


# --- the detail: codes and ids ------------------------------------------------------

def compact_ids(ids) -> str:
    """[9, 7, 6, 5, 3] -> "3,5-7,9": sorted, runs of consecutive ids as ranges."""
    ordered = sorted(set(ids))
    runs: list[list[int]] = []
    for n in ordered:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def expand_ids(text: str) -> list[int]:
    """compact_ids read back: "3,5-7,9" -> [3, 5, 6, 7, 9] ([] for anything else)."""
    ids: list[int] = []
    for part in (text or "").split(","):
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            return []
        ids.extend(range(int(low), int(high or low) + 1))
    return ids


def detail_of(**fields) -> str:
    """"status=pending page=2 ids=3-7,9": each value a code, a whole number or a list
    of ids; None and empty lists are left out.  Anything else is refused."""
    parts = []
    for key, value in fields.items():
        if value is None or value == [] or value == ():
            continue
        if isinstance(value, (list, tuple, set)):
            if not all(isinstance(n, int) and not isinstance(n, bool) for n in value):
                raise ValueError(f"{key}: ids must be whole numbers")
            text = compact_ids(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        elif isinstance(value, str) and CODE.fullmatch(value):
            text = value
        else:
            raise ValueError(f"{key}: an audit detail holds codes and ids only")
        parts.append(f"{key}={text}")
    return " ".join(parts)


def fields_of(detail: str) -> dict[str, str]:
    """detail_of read back; {} for a plain detail (a code, or codes with commas)."""
    pairs = [part.partition("=") for part in (detail or "").split(" ")]
    if not pairs or not all(sep for _, sep, _ in pairs):
        return {}
    return {key: value for key, _, value in pairs}


# --- reading ------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """The audit page's filters: a staff member, a request, a UTC window [since, until)."""
    staff_id: int | None = None
    request_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def events(practice_id: int, filters: Filters = Filters(), page: int = 1,
           size: int = PAGE) -> tuple[list[AuditEvent], bool]:
    """The practice's rows, newest first, `size` a page: (rows of page `page`, whether
    an older page exists).  Served by ix_audit_time, ix_audit_staff, ix_audit_request."""
    A = AuditEvent
    query = sa.select(A).where(A.practice_id == practice_id)
    if filters.request_id is not None:
        query = query.where(A.request_id == filters.request_id)
    if filters.staff_id is not None:
        query = query.where(A.staff_id == filters.staff_id)
    if filters.since is not None:
        query = query.where(A.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(A.created_at < filters.until)
    query = (query.order_by(A.created_at.desc(), A.id.desc())
             .offset((max(1, page) - 1) * size).limit(size + 1))
    rows = list(db.session.execute(query).scalars())
    return rows[:size], len(rows) > size
