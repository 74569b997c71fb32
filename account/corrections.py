"""The "needs information" loop, patient side: what the practice asked, the sections it
opened (enrollment/steps: `Step.correctable`), their wizard forms filled from the
request, saving a section into the request, and sending the request back.

A saved section goes straight into the request (staff do not decide while it is with
the patient); a changed email address must be confirmed again (every link sent to the
old one stops working: enrollment.confirmation.address_changed), and its link is sent
when the request goes back."""
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

import audit
import crypto
from database import write_transaction
from enrollment import confirmation, name_words, steps
from enrollment.codes import NEEDS_INFO, PENDING
from enrollment.models import EnrollmentRequest, InfoRequest, RequestRevision, utcnow
from extensions import db

from .patients import AccountContext


def open_request(req: EnrollmentRequest | None) -> InfoRequest | None:
    """The practice's unanswered question, while the request is with the patient."""
    if req is None or req.status != NEEDS_INFO:
        return None
    return db.session.execute(
        sa.select(InfoRequest).where(InfoRequest.request_id == req.id,
                                     InfoRequest.answered_at.is_(None))
        .order_by(InfoRequest.id.desc()).limit(1)).scalar()


def opened(ask: InfoRequest | None) -> list:
    """The Step objects the practice opened, in the wizard's order."""
    names = set(ask.sections or []) if ask is not None else set()
    return [step for step in steps.correctable() if step.name in names]


def section(ask: InfoRequest | None, name: str):
    """The opened step called `name`, or None (not opened, not correctable)."""
    return next((step for step in opened(ask) if step.name == name), None)


def form_for(step, account, req: EnrollmentRequest, formdata=None):
    """The wizard's form of `step`, bound to a post or (None) to the request's values."""
    if formdata is None:
        formdata = MultiDict(step.request_values(req))
    form = step.form(formdata=formdata)
    form.ctx = AccountContext(account, req)
    step.prepare(form)
    return form


def save(step, req: EnrollmentRequest, form) -> bool:
    """The corrected section into the request; False if it is no longer with the
    patient (staff decided meanwhile).  A new email address is unconfirmed again."""
    values = step.correction(step.clean(form), req)
    was = step.request_values(req)   # the section as it was, kept as a revision
    with write_transaction():
        before = db.session.execute(sa.select(EnrollmentRequest.email_hash).where(
            EnrollmentRequest.id == req.id)).scalar()
        done = db.session.execute(
            sa.update(EnrollmentRequest)
            .where(EnrollmentRequest.id == req.id, EnrollmentRequest.status == NEEDS_INFO)
            .values(**values).execution_options(synchronize_session=False))
        if done.rowcount == 1:
            ask = open_request(req)
            db.session.add(RequestRevision(request_id=req.id, section=step.name, values=was,
                                           info_request_id=ask.id if ask else None))
        if done.rowcount == 1 and set(values) & set(name_words.NAME_COLUMNS):
            name_words.refresh([req.id])
        if done.rowcount == 1 and "email" in values \
                and crypto.name_hash(values["email"]) != before:
            confirmation.address_changed(req)
    db.session.expire(req)
    return done.rowcount == 1


def resubmit(req: EnrollmentRequest) -> bool:
    """Back to the practice's queue, marked as updated, with an audit row; the question
    is answered.  A changed (unconfirmed) address gets a new confirmation link."""
    now = utcnow()
    with write_transaction():
        back = db.session.execute(
            sa.update(EnrollmentRequest)
            .where(EnrollmentRequest.id == req.id, EnrollmentRequest.status == NEEDS_INFO)
            .values(status=PENDING, resubmitted_at=now)
            .execution_options(synchronize_session=False))
        if back.rowcount != 1:
            return False
        db.session.execute(sa.update(InfoRequest).where(
            InfoRequest.request_id == req.id, InfoRequest.answered_at.is_(None))
            .values(answered_at=now))
        req = db.session.get(EnrollmentRequest, req.id, populate_existing=True)
        audit.record(req.account, audit.RESUBMITTED, req.id)
        if not req.email_confirmed:
            confirmation.start(req, resent=True)
    return True
