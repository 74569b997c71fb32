"""The patient's appointment as the account page shows it: once the practice confirmed
it, its date and time (in the practice's zone, with the zone's abbreviation, in the
patient's language), its provider and its place.  Never its reason.

The confirmation is the dashboard's (admin/appointments: the table
appointment_decision, names copied as they were when confirmed).  account/ does not
import admin/ (README "Layout"), so the row is read through the table's metadata."""
import sqlalchemy as sa

import i18n
from auth.clock import When, format_when
from enrollment.codes import APPROVED
from enrollment.models import AppointmentRequest
from extensions import db


def confirmed(appt: AppointmentRequest | None) -> dict | None:
    """{"when": When, "provider", "location", "address"} of a confirmed appointment;
    None for none, one still pending or declined."""
    if appt is None or appt.status != APPROVED:
        return None
    decision = db.metadata.tables["appointment_decision"]
    row = db.session.execute(sa.select(
        decision.c.starts_at, decision.c.timezone, decision.c.provider_name,
        decision.c.location_name, decision.c.location_address).where(
        decision.c.appointment_id == appt.id, decision.c.decision == APPROVED)).first()
    if row is None or row.starts_at is None:
        return None
    zone = row.timezone or appt.enrollment.practice.timezone
    when: When = format_when(row.starts_at, zone, i18n.current())
    return {"when": when, "provider": row.provider_name, "location": row.location_name,
            "address": row.location_address}
