"""Writing the trail (inside the caller's transaction) and reading it, newest first."""
import sqlalchemy as sa
from flask import has_request_context, request

from extensions import db

from .actions import ACTIONS
from .models import AuditEvent

PAGE = 100


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


def events(practice_id: int, request_id: int | None = None,
           staff_id: int | None = None) -> list[AuditEvent]:
    """The practice's latest PAGE rows, filtered by request or staff member."""
    query = sa.select(AuditEvent).where(AuditEvent.practice_id == practice_id)
    if request_id is not None:
        query = query.where(AuditEvent.request_id == request_id)
    if staff_id is not None:
        query = query.where(AuditEvent.staff_id == staff_id)
    query = query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(PAGE)
    return list(db.session.execute(query).scalars())
