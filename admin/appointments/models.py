"""The one decision on an appointment request (unique): who, when, and either the
confirmed time (UTC, with the practice's zone it was entered in), provider and location,
or the decline reason code and an internal note that never leaves the dashboard.

The provider's and location's names are copied as they were when confirmed: what the
patient was told stays readable after a practice renames or removes them."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.clock import utcnow
from crypto import EncryptedText
from enrollment.models import AppointmentRequest
from extensions import db

from ..staff.models import StaffUser


class AppointmentDecision(db.Model):
    __tablename__ = "appointment_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appointment_request.id", ondelete="CASCADE"), unique=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(20))      # approved / declined
    reason: Mapped[str] = mapped_column(sa.String(40), default="")
    # Staff's words about a patient may hold health details: encrypted (crypto.py).
    note: Mapped[str] = mapped_column(EncryptedText, default="")
    starts_at: Mapped[datetime | None]                          # UTC, naive
    timezone: Mapped[str] = mapped_column(sa.String(64), default="")
    provider_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("provider.id", ondelete="SET NULL"))
    provider_name: Mapped[str] = mapped_column(sa.String(120), default="")
    location_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("location.id", ondelete="SET NULL"))
    location_name: Mapped[str] = mapped_column(sa.String(120), default="")
    location_address: Mapped[str] = mapped_column(sa.String(250), default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    staff: Mapped[StaffUser] = relationship()
    appointment: Mapped[AppointmentRequest] = relationship()
