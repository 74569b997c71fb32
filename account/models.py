"""Password recovery links of patients: single use, expiring, stored hashed, each with
the two security questions it asks (chosen when the link is made)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.clock import utcnow
from enrollment.models import PatientAccount
from extensions import db


class RecoveryToken(db.Model):
    __tablename__ = "recovery_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("patient_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    questions: Mapped[list] = mapped_column(sa.JSON)   # two SECURITY_QUESTIONS codes
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    account: Mapped[PatientAccount] = relationship()
