"""The one final decision on an enrollment request."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.clock import utcnow
from crypto import EncryptedText
from enrollment.models import EnrollmentRequest
from extensions import db

from ..staff.models import StaffUser


class Decision(db.Model):
    """The one decision on a request (unique): who, when, the reason code and an
    internal note that never leaves the dashboard."""
    __tablename__ = "enrollment_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment_request.id", ondelete="CASCADE"), unique=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(20))      # approved / rejected
    reason: Mapped[str] = mapped_column(sa.String(40), default="")
    # Staff's words about a patient may hold health details: encrypted (crypto.py).
    note: Mapped[str] = mapped_column(EncryptedText, default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    staff: Mapped[StaffUser] = relationship()
    request: Mapped[EnrollmentRequest] = relationship()


class SavedSearch(db.Model):
    """A staff search kept with the staff member's session (never in a URL): the search
    POST stores it and answers with /admin/search/<id>, an address holding only this
    random id, so Back and reload show the same results.  Readable only from the
    session that made it; gone with that session's row (and `flask purge` after a day)."""
    __tablename__ = "staff_search"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    auth_session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("auth_session.id", ondelete="CASCADE"), index=True)
    by: Mapped[str] = mapped_column(sa.String(20))
    terms: Mapped[str] = mapped_column(EncryptedText)   # what was typed: patient data
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
