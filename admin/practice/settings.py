"""Practice administration (role admin): the practice's settings, its providers and
locations.  Each change is one transaction with its audit row."""
import sqlalchemy as sa

import audit
from database import write_transaction
from enrollment.codes import REJECTION_REASONS
from enrollment.models import AppointmentRequest, Location, Practice, Provider
from extensions import db

from ..staff.models import StaffUser

# The fields of the settings form that are stored as they are on the practice.
FIELDS = ("name", "street", "city", "state", "zip_code", "phone", "reply_to", "timezone",
          "appointments_enabled", "notify_new_requests", "terms_url", "terms_version")
KINDS = {"provider": Provider, "location": Location}
# The audit codes of each kind: (added, renamed, removed).
AUDIT = {"provider": (audit.PROVIDER_ADDED, audit.PROVIDER_RENAMED, audit.PROVIDER_REMOVED),
         "location": (audit.LOCATION_ADDED, audit.LOCATION_RENAMED, audit.LOCATION_REMOVED)}


class InUse(ValueError):
    """A provider or location named on appointment requests: rename it instead."""


def practice_of(staff: StaffUser) -> Practice:
    return db.session.get(Practice, staff.practice_id, populate_existing=True)


def reasons_of(practice: Practice) -> list[str]:
    chosen = practice.rejection_reasons
    return [code for code in REJECTION_REASONS if chosen is None or code in chosen]


def update(admin: StaffUser, values: dict, reasons: list[str]) -> list[str]:
    """Store the changed settings; returns the names of what changed (one audit row
    each, the name in its detail)."""
    with write_transaction():
        practice = practice_of(admin)
        changed = [name for name in FIELDS if getattr(practice, name) != values[name]]
        for name in changed:
            setattr(practice, name, values[name])
        codes = [code for code in REJECTION_REASONS if code in reasons]
        if codes != reasons_of(practice):
            practice.rejection_reasons = codes
            changed.append("rejection_reasons")
        for name in changed:     # one row per setting: the detail names it
            audit.record(admin, audit.SETTINGS_CHANGED, None, name)
    return changed


def item_of(practice_id: int, kind: str, item_id: int):
    """A provider or location of this practice, or None (another practice's is None)."""
    model = KINDS[kind]
    return db.session.execute(sa.select(model).where(
        model.id == item_id, model.practice_id == practice_id)).scalar()


def add(admin: StaffUser, kind: str, name: str, address: str = ""):
    with write_transaction():
        item = KINDS[kind](practice_id=admin.practice_id, name=name)
        if kind == "location":
            item.address = address
        db.session.add(item)
        db.session.flush()
        audit.record(admin, AUDIT[kind][0], None, f"{kind}:{item.id}")
    return item


def rename(admin: StaffUser, kind: str, item_id: int, name: str, address: str = ""):
    with write_transaction():
        item = item_of(admin.practice_id, kind, item_id)
        if item is None:
            return None
        item.name = name
        if kind == "location":
            item.address = address
        audit.record(admin, AUDIT[kind][1], None, f"{kind}:{item.id}")
    return item


def remove(admin: StaffUser, kind: str, item_id: int) -> bool:
    """False when it is not the practice's; InUse when appointment requests name it."""
    column = (AppointmentRequest.provider_id if kind == "provider"
              else AppointmentRequest.location_id)
    with write_transaction():
        item = item_of(admin.practice_id, kind, item_id)
        if item is None:
            return False
        if db.session.execute(sa.select(AppointmentRequest.id).where(
                column == item.id).limit(1)).first() is not None:
            raise InUse(kind)
        db.session.delete(item)
        audit.record(admin, AUDIT[kind][2], None, f"{kind}:{item_id}")
    return True
