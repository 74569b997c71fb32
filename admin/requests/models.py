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
