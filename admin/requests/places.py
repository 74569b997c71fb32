"""Where the desk was: the list a request was opened from (a page of the queue under a
filter, or a saved search), so "Back to the requests" returns to it and "Next pending
request" follows its order.

Each list shown remembers itself in the staff member's (signed) session cookie as
`q-pending-2` (the queue, filter, page) or `s-<id>` (a search kept with the staff
session: admin/requests/models.SavedSearch): no patient data, and the requests' links
stay plain.  The request's page reads the last one."""
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import g, session, url_for

from auth.clock import utcnow
from database import write_transaction
from enrollment.codes import APPROVED, NEEDS_INFO, PENDING, REJECTED
from extensions import db

from . import queries
from .models import SavedSearch

FILTERS = (PENDING, queries.UPDATED, NEEDS_INFO, APPROVED, REJECTED)
SEARCH_ID = re.compile(r"[A-Za-z0-9_-]{16,32}")
KEEP_SEARCHES = timedelta(days=1)


@dataclass(frozen=True)
class Place:
    status: str = PENDING
    page: int = 1
    search_id: str | None = None

    @property
    def param(self) -> str:
        if self.search_id:
            return f"s-{self.search_id}"
        return f"q-{self.status}-{self.page}"

    def back_url(self) -> str:
        if self.search_id:
            return url_for("admin.search_results", search_id=self.search_id)
        args = {} if self.status == PENDING else {"status": self.status}
        if self.page > 1:
            args["page"] = self.page
        return url_for("admin.queue", **args)


SESSION_KEY = "desk_place"


def remember(place: Place) -> None:
    session[SESSION_KEY] = place.param


def current() -> Place:
    return parse(session.get(SESSION_KEY))


def parse(raw: str | None) -> Place:
    """The `in` parameter, or the first page of the pending queue for anything else."""
    raw = str(raw or "")
    if raw.startswith("s-") and SEARCH_ID.fullmatch(raw[2:]):
        return Place(search_id=raw[2:])
    parts = raw.split("-")
    if len(parts) == 3 and parts[0] == "q" and parts[1] in FILTERS and parts[2].isdigit() \
            and 0 < int(parts[2]) < 10**6:
        return Place(parts[1], int(parts[2]))
    return Place()


# --- searches kept with the session -----------------------------------------------------

def save_search(by: str, terms: str) -> str:
    """Keep a search with this staff session; its random id."""
    search_id = secrets.token_urlsafe(16)
    with write_transaction():
        db.session.add(SavedSearch(id=search_id, auth_session_id=g.auth_session_id,
                                   by=by, terms=terms))
    return search_id


def saved_search(search_id: str) -> SavedSearch | None:
    """This session's search `search_id` (another session's is not found), while fresh."""
    if not SEARCH_ID.fullmatch(search_id or "") or "auth_session_id" not in g:
        return None
    return db.session.execute(sa.select(SavedSearch).where(
        SavedSearch.id == search_id, SavedSearch.auth_session_id == g.auth_session_id,
        SavedSearch.created_at > utcnow() - KEEP_SEARCHES)).scalar()


def purge_searches(now) -> int:
    """`flask purge`: searches older than KEEP_SEARCHES."""
    with write_transaction():
        return db.session.execute(sa.delete(SavedSearch).where(
            SavedSearch.created_at <= now - KEEP_SEARCHES)).rowcount


# --- the next pending request -----------------------------------------------------------

def next_pending(practice_id: int, place: Place, req, rerun) -> int | None:
    """The id of the pending request after `req` in the list it was opened from: the
    search's results (rerun(saved) gives them again), else the pending queue's order
    (from the top when it came from another filter)."""
    if place.search_id:
        saved = saved_search(place.search_id)
        rows = rerun(saved) if saved is not None else []
        ids = [r.id for r in rows]
        after = rows[ids.index(req.id) + 1:] if req.id in ids else rows
        return next((r.id for r in after if r.status == PENDING and r.id != req.id), None)
    in_order = place.status in (PENDING, queries.UPDATED)
    found = queries.pending_after(practice_id, req if in_order else None)
    if found is None or found == req.id:   # the end of the queue: from its top again
        found = queries.pending_after(practice_id, None)
    return None if found == req.id else found
