"""Practices, drafts, patient accounts and the requests they submit."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

import crypto
from auth.clock import utcnow  # noqa: F401  (re-exported: `from .models import utcnow`)
from crypto import EncryptedDate, EncryptedJSON, EncryptedText
from extensions import db

from .codes import PENDING
from .references import new_reference


class Practice(db.Model):
    __tablename__ = "practice"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    street: Mapped[str] = mapped_column(sa.String(120), default="")
    city: Mapped[str] = mapped_column(sa.String(80), default="")
    state: Mapped[str] = mapped_column(sa.String(2), default="")
    zip_code: Mapped[str] = mapped_column(sa.String(10), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    reply_to: Mapped[str] = mapped_column(sa.String(254), default="")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="America/New_York")
    appointments_enabled: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Which REJECTION_REASONS codes the practice's staff are offered (None: all of them),
    # and whether its reply-to address hears of each new request with a confirmed email.
    rejection_reasons: Mapped[list | None] = mapped_column(sa.JSON)
    notify_new_requests: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # The terms of use and privacy notice patients agree to: the practice's own page and
    # its version, or (empty) the portal's built-in page and TERMS_VERSION.
    terms_url: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    terms_version: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")

    providers: Mapped[list["Provider"]] = relationship(
        back_populates="practice", order_by="Provider.name", cascade="all, delete-orphan")
    locations: Mapped[list["Location"]] = relationship(
        back_populates="practice", order_by="Location.name", cascade="all, delete-orphan")


class Provider(db.Model):
    __tablename__ = "provider"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    practice: Mapped[Practice] = relationship(back_populates="providers")


class Location(db.Model):
    __tablename__ = "location"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    address: Mapped[str] = mapped_column(sa.String(250), default="")
    practice: Mapped[Practice] = relationship(back_populates="locations")


class Draft(db.Model):
    """The wizard's server-side state.  The cookie holds a random token; this table
    holds only its SHA-256, so a leaked table does not open anyone's draft.  What the
    patient typed (data) and what was accepted (clean) are encrypted (crypto.py)."""
    __tablename__ = "draft"
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    data: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)   # step -> raw values
    clean: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)  # step -> validated
    done: Mapped[list] = mapped_column(sa.JSON, default=list)    # completed step names
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    dob_failures: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    submitted_at: Mapped[datetime | None]
    request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrollment_request.id", ondelete="SET NULL"))
    # When the draft passed the human check: it is not asked again for the draft's life.
    human_checked_at: Mapped[datetime | None]


class PatientAccount(UserMixin, db.Model):
    """Created inactive on submission; its unique index makes usernames unique across
    accounts and pending requests.  `active` means approved: a pending patient may
    sign in too, to the status page only (account/)."""
    __tablename__ = "patient_account"
    # The staff search by username from its start (text_pattern_ops: LIKE on PostgreSQL),
    # within one practice (without practice_id SQLite may rather scan the practice).
    __table_args__ = (
        sa.Index("ix_account_username_prefix", "practice_id",
                 sa.func.lower(sa.column("username")).label("lower_username"),
                 postgresql_ops={"lower_username": "text_pattern_ops"}),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"), index=True)
    username: Mapped[str] = mapped_column(sa.String(50), unique=True)  # lower-cased
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Consecutive failed sign-ins (any server): at PATIENT_MAX_FAILED_LOGINS the account
    # is locked until a password reset.  Recovery: wrong answers, and the lock's end.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    # After LOGIN_THROTTLE_AFTER failures in a row, no sign-in is tried before this time
    # (auth/throttle.py: the wait doubles with each failure, capped).
    throttled_until: Mapped[datetime | None]
    # The keyed hash of the username (crypto.name_hash): the recovery job finds the
    # account by it, from the hash of what was typed.  Set whenever the username is.
    username_hash: Mapped[str | None] = mapped_column(
        sa.String(64), index=True, info=crypto.name_index_of("username"))
    recovery_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    recovery_locked_until: Mapped[datetime | None]
    answers: Mapped[list["SecurityAnswer"]] = relationship(
        cascade="all, delete-orphan", order_by="SecurityAnswer.position")
    practice: Mapped[Practice] = relationship()

    kind = "patient"

    def get_id(self) -> str:
        return f"{self.kind}:{self.id}"

    @validates("username")
    def _index_username(self, _key, value):
        self.username_hash = crypto.name_hash(value)
        return value


class SecurityAnswer(db.Model):
    __tablename__ = "security_answer"
    __table_args__ = (sa.UniqueConstraint("account_id", "question", name="uq_answer_question"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("patient_account.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    question: Mapped[str] = mapped_column(sa.String(40))   # a SECURITY_QUESTIONS code
    answer_hash: Mapped[str] = mapped_column(sa.String(255))


class EnrollmentRequest(db.Model):
    __tablename__ = "enrollment_request"
    # The queue (practice, status, newest first) and the staff search, each by an index:
    # names and email from their start, lower-cased; date of birth exact.  On PostgreSQL
    # text_pattern_ops lets LIKE 'abc%' use the index whatever the collation.
    __table_args__ = (
        # id too: the queue's pages are found in the index alone (admin/queries.py).
        sa.Index("ix_request_queue", "practice_id", "status", "created_at", "id"),
        # The pending queue puts the requests the patient sent back first: each part
        # (resubmitted_at set, or NULL) in its order from this index alone.
        sa.Index("ix_request_updated", "practice_id", "status", "resubmitted_at",
                 "created_at", "id"),
        # ... and the rest (resubmitted_at NULL) newest first, read in index order: an
        # IS NULL condition does not let PostgreSQL take ix_request_updated's order, so
        # without this a deep page of the pending queue sorted every pending request.
        sa.Index("ix_request_fresh", "practice_id", "status", "created_at", "id",
                 postgresql_where=sa.text("resubmitted_at IS NULL"),
                 sqlite_where=sa.text("resubmitted_at IS NULL")),
        # Prefix searches: created_at and id too, so the newest 50 matches are found in
        # the index alone however many match (admin/queries.py search()).
        sa.Index("ix_request_last_name", "practice_id",
                 sa.func.lower(sa.column("last_name")).label("lower_last_name"),
                 "created_at", "id",
                 postgresql_ops={"lower_last_name": "text_pattern_ops"}),
        sa.Index("ix_request_first_name", "practice_id",
                 sa.func.lower(sa.column("first_name")).label("lower_first_name"),
                 "created_at", "id",
                 postgresql_ops={"lower_first_name": "text_pattern_ops"}),
        sa.Index("ix_request_email", "practice_id",
                 sa.func.lower(sa.column("email")).label("lower_email"),
                 "created_at", "id",
                 postgresql_ops={"lower_email": "text_pattern_ops"}),
        # Date of birth exact, by its keyed hash (the date itself is encrypted); created_at
        # and id too, like the prefix searches.
        sa.Index("ix_request_dob_hash", "practice_id", "dob_hash", "created_at", "id"),
        sa.Index("ix_request_phone", "practice_id", "phone"),   # possible duplicates
        # "Forgot your username?" and recovery by email: any practice, exact address.
        sa.Index("ix_request_email_any",
                 sa.func.lower(sa.column("email")).label("lower_email_any")),
        # The recovery job: requests by the keyed hash of their address.
        sa.Index("ix_request_email_hash", "email_hash"),
        sa.Index("ix_request_reference", "reference", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"))
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("patient_account.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=PENDING)
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    # Personal information.  Names, address, phone and email stay plain: the staff search
    # them from their start and the duplicates compare them, through indexes.  Every one
    # is NULL once a rejected request's personal data is deleted (purged_at).
    first_name: Mapped[str | None] = mapped_column(sa.String(60))
    middle_name: Mapped[str | None] = mapped_column(sa.String(60), default="")
    last_name: Mapped[str | None] = mapped_column(sa.String(60))
    street: Mapped[str | None] = mapped_column(sa.String(120))
    line2: Mapped[str | None] = mapped_column(sa.String(120), default="")
    city: Mapped[str | None] = mapped_column(sa.String(80))
    state: Mapped[str | None] = mapped_column(sa.String(2))
    zip_code: Mapped[str | None] = mapped_column(sa.String(10))
    phone: Mapped[str | None] = mapped_column(sa.String(20))          # E.164
    # Encrypted (crypto.py); found by its keyed hash, set whenever the date is.
    date_of_birth: Mapped[date | None] = mapped_column(EncryptedDate)
    dob_hash: Mapped[str | None] = mapped_column(sa.String(64),
                                                 info=crypto.index_of("date_of_birth"))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    # The keyed hash of the address (crypto.name_hash), set whenever the address is.
    # Its copies: the address a link was sent to, the address that was confirmed.
    email_hash: Mapped[str | None] = mapped_column(sa.String(64), info=crypto.name_index_of(
        "email", carries=(("enrollment_request", "id", "email_confirmed_hash"),
                          ("email_confirmation", "request_id", "email_hash"))))
    # Insurance, encrypted whole (all empty when the patient gave none)
    insurance_carrier: Mapped[str | None] = mapped_column(EncryptedText, default="")
    insurance_member_id: Mapped[str | None] = mapped_column(EncryptedText, default="")
    insurance_group: Mapped[str | None] = mapped_column(EncryptedText, default="")
    subscriber_name: Mapped[str | None] = mapped_column(EncryptedText, default="")
    subscriber_relationship: Mapped[str | None] = mapped_column(EncryptedText, default="")
    claim_street: Mapped[str | None] = mapped_column(EncryptedText, default="")
    claim_line2: Mapped[str | None] = mapped_column(EncryptedText, default="")
    claim_city: Mapped[str | None] = mapped_column(EncryptedText, default="")
    claim_state: Mapped[str | None] = mapped_column(EncryptedText, default="")
    claim_zip: Mapped[str | None] = mapped_column(EncryptedText, default="")
    # Consent
    terms_version: Mapped[str] = mapped_column(sa.String(20))
    terms_url: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    terms_accepted_at: Mapped[datetime]
    email_consent_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    # Email confirmation (enrollment/confirmation.py): when the link was last sent, used,
    # and the keyed hash of the address it confirmed: the request reads confirmed only
    # while that is its address now (`email_confirmed`).
    confirmation_sent_at: Mapped[datetime | None]
    email_confirmed_at: Mapped[datetime | None]
    email_confirmed_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # A short reference made by the server (R-7F3KQ2): emails and pages name the request
    # by it and by its date, never by what the patient typed (enrollment/references.py).
    # Unique (ix_request_reference); NULL-able only so migration 0013 adds it in place.
    reference: Mapped[str | None] = mapped_column(sa.String(12), default=new_reference)
    # Set when the patient answers a "needs information" request: the queue marks it.
    resubmitted_at: Mapped[datetime | None]
    # When the personal data of this (rejected) request was deleted (enrollment/retention.py).
    purged_at: Mapped[datetime | None]
    # The values of steps without columns of their own, keyed by step name
    # (enrollment/steps/base.py), encrypted; read and written only through `step_values`.
    _step_values: Mapped[dict | None] = mapped_column("step_values", EncryptedJSON)

    practice: Mapped[Practice] = relationship()
    account: Mapped[PatientAccount | None] = relationship()
    appointment: Mapped["AppointmentRequest | None"] = relationship(
        back_populates="enrollment", uselist=False)

    @validates("email")
    def _index_email(self, _key, value):
        self.email_hash = crypto.name_hash(value)
        return value

    @hybrid_property
    def email_confirmed(self) -> bool:
        """The address on the request now is the one a link confirmed."""
        return self.email_confirmed_hash is not None and \
            self.email_confirmed_hash == self.email_hash

    @email_confirmed.inplace.expression
    @classmethod
    def _email_confirmed(cls):
        return sa.and_(cls.email_confirmed_hash.is_not(None),
                       cls.email_confirmed_hash == cls.email_hash)

    @validates("date_of_birth")
    def _index_birth_date(self, _key, value):
        self.dob_hash = crypto.index_hash(value)
        return value

    @staticmethod
    def birth_columns(value: date | None) -> dict:
        """The date of birth and its hash, for a bulk UPDATE (which skips `validates`)."""
        return {"date_of_birth": value, "dob_hash": crypto.index_hash(value)}

    @property
    def step_values(self) -> dict:
        """{step name: its values}: the one place that reads the column."""
        return dict(self._step_values or {})

    @step_values.setter
    def step_values(self, values: dict) -> None:
        """The one place that writes it; nothing to keep stores NULL."""
        self._step_values = dict(values) or None


class AppointmentRequest(db.Model):
    __tablename__ = "appointment_request"
    # The staff's appointment queue: practice, status, newest first (id breaks ties).
    __table_args__ = (sa.Index("ix_appointment_queue", "practice_id", "status",
                               "created_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment_request.id", ondelete="CASCADE"), unique=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=PENDING)
    # Encrypted; NULL once a rejected enrollment's personal data is deleted.
    reason: Mapped[str | None] = mapped_column(EncryptedText)
    preferred_days: Mapped[str] = mapped_column(sa.String(40), default="")   # codes, comma
    preferred_times: Mapped[str] = mapped_column(sa.String(40), default="")  # codes, comma
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider.id"))
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("location.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrollment: Mapped[EnrollmentRequest] = relationship(back_populates="appointment")
    provider: Mapped[Provider | None] = relationship()
    location: Mapped[Location | None] = relationship()


class EmailConfirmation(db.Model):
    """A link that confirms a request's email address: single use, expires.  The link
    carries a random token; this table holds only its SHA-256."""
    __tablename__ = "email_confirmation"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment_request.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The keyed hash of the address the link was sent to (a copy of the request's
    # email_hash then); NULL once the request's address changed.  It confirms only that.
    email_hash: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class InfoRequest(db.Model):
    """Staff's "needs information": a message to the patient and the wizard sections
    (step names) opened for correction.  Answered when the patient resubmits."""
    __tablename__ = "info_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment_request.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    message: Mapped[str] = mapped_column(EncryptedText)   # may name what is wrong: encrypted
    sections: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]


class RequestRevision(db.Model):
    """A section of a request as it was before the patient corrected it ("needs
    information"): staff see the old value beside the new.  Encrypted like the request."""
    __tablename__ = "request_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment_request.id", ondelete="CASCADE"), index=True)
    info_request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("info_request.id", ondelete="SET NULL"))
    section: Mapped[str] = mapped_column(sa.String(40))   # a step's name
    values: Mapped[dict] = mapped_column(EncryptedJSON)   # {field: value} before
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


from . import name_words  # noqa: E402,F401  (the name-word table and its listener)
