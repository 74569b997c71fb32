"""Possible duplicates of one request: other requests (and the accounts they created)
at the SAME practice with the same last name (any case) and date of birth, or the same
email address (any case), or the same phone (E.164).  Three indexed lookups joined by
UNION into one query (ix_request_dob_hash: the date is encrypted, its keyed hash is
compared; ix_request_email, ix_request_phone), the accounts loaded with it: no query per
candidate.  Another practice's rows never match, nor do requests whose personal data
was deleted (their columns are empty)."""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from enrollment.models import EnrollmentRequest
from extensions import db

R = EnrollmentRequest
LIMIT = 20   # more than this many look-alikes is a data problem, not a review task


@dataclass
class Line:
    label: str
    this: str
    other: str

    @property
    def matches(self) -> bool:
        return self.this.casefold() == self.other.casefold()


@dataclass
class Candidate:
    request: EnrollmentRequest
    why: list = field(default_factory=list)     # the rules that matched, as words
    lines: list = field(default_factory=list)   # field by field: this, candidate


def _ids(req: EnrollmentRequest):
    same_practice = (R.practice_id == req.practice_id, R.id != req.id)
    # Found by the date of birth's hash (a handful of rows), the last name compared on
    # them: `|| ''` keeps the planner off ix_request_last_name, which SQLite (without
    # statistics) would otherwise pick and then read every request of that name.
    by_name = sa.select(R.id).where(
        *same_practice, R.dob_hash == req.dob_hash,
        sa.func.lower(R.last_name).concat("") == req.last_name.lower())
    by_email = sa.select(R.id).where(*same_practice,
                                     sa.func.lower(R.email) == req.email.lower())
    by_phone = sa.select(R.id).where(*same_practice, R.phone == req.phone)
    return sa.union(by_name, by_email, by_phone)


def _address(r: EnrollmentRequest) -> str:
    line2 = f", {r.line2}" if r.line2 else ""
    return f"{r.street}{line2}, {r.city}, {r.state} {r.zip_code}"


def _account(r: EnrollmentRequest) -> str:
    if r.account is None:
        return str(_l("none (released)"))
    state = _l("active") if r.account.active else _l("not active yet")
    return f"{r.account.username} ({state})"


def _why(req: EnrollmentRequest, other: EnrollmentRequest) -> list:
    why = []
    if (other.last_name.lower() == req.last_name.lower()
            and other.date_of_birth == req.date_of_birth):
        why.append(_l("same last name and date of birth"))
    if other.email.lower() == req.email.lower():
        why.append(_l("same email address"))
    if other.phone == req.phone:
        why.append(_l("same phone"))
    return why


def _lines(req: EnrollmentRequest, other: EnrollmentRequest, phone) -> list:
    def name(r):
        return " ".join(p for p in (r.first_name, r.middle_name, r.last_name) if p)
    return [Line(str(label), get(req), get(other)) for label, get in (
        (_l("Name"), name),
        (_l("Date of birth"), lambda r: r.date_of_birth.isoformat()),
        (_l("Email address"), lambda r: r.email),
        (_l("Phone"), lambda r: phone(r.phone)),
        (_l("Home address"), _address),
        (_l("Username"), _account),
    )]


def find(req: EnrollmentRequest, phone=str) -> list[Candidate]:
    """The look-alikes of `req` at its practice, newest first, each compared field by
    field.  `phone` formats a stored E.164 number for display."""
    if req.purged_at is not None:   # nothing left to compare
        return []
    rows = db.session.execute(
        sa.select(R).where(R.id.in_(_ids(req)))   # ids of this practice only (_ids)
        .options(joinedload(R.account))
        .order_by(R.created_at.desc(), R.id.desc()).limit(LIMIT)).unique().scalars()
    return [Candidate(r, _why(req, r), _lines(req, r, phone)) for r in rows]
