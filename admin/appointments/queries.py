"""What the appointments' pages read: the queue, one request, its decision, the
pending count.  Scoped to one practice: another practice's rows are not found."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from enrollment.codes import PENDING
from enrollment.models import AppointmentRequest, EnrollmentRequest
from extensions import db

from ..core import Page, page_bounds
from .models import AppointmentDecision

A, D = AppointmentRequest, AppointmentDecision


def pending_count(practice_id: int) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(A).where(
        A.practice_id == practice_id, A.status == PENDING)).scalar_one()


def queue(practice_id: int, status: str, number: int, size: int) -> Page:
    """Rows of (appointment, its decision or None), newest first; no query per row."""
    where = (A.practice_id == practice_id, A.status == status)
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(A).where(*where)).scalar_one()
    pages, number = page_bounds(total, number, size)
    rows = db.session.execute(
        sa.select(A, D).outerjoin(D, D.appointment_id == A.id).where(*where)
        .options(joinedload(A.enrollment))
        .order_by(A.created_at.desc(), A.id.desc())
        .offset((number - 1) * size).limit(size)).all()
    return Page([tuple(r) for r in rows], number, pages, total)


def get(practice_id: int, appointment_id: int) -> AppointmentRequest | None:
    """One appointment request of this practice, or None (another's is not found)."""
    return db.session.execute(
        sa.select(A).where(A.id == appointment_id, A.practice_id == practice_id)
        .options(joinedload(A.enrollment).joinedload(EnrollmentRequest.practice))
        .execution_options(populate_existing=True)).unique().scalar()


def decision_of(appointment_id: int) -> AppointmentDecision | None:
    return db.session.execute(sa.select(D).where(D.appointment_id == appointment_id)
                              .options(joinedload(D.staff))).scalar()
