"""audit.record: one way to write a row, for a staff member or the patient, with codes
from the one read-only table (audit/actions.py)."""
import pytest
import sqlalchemy as sa

import audit
from admin.staff.models import StaffUser
from database import write_transaction
from enrollment.models import PatientAccount
from extensions import db


def _rows(app) -> list:
    with app.app_context():
        return db.session.execute(sa.select(audit.AuditEvent.practice_id,
                                            audit.AuditEvent.staff_id,
                                            audit.AuditEvent.action,
                                            audit.AuditEvent.request_id,
                                            audit.AuditEvent.ip)
                                  .order_by(audit.AuditEvent.id)).all()


def test_the_table_is_read_only_and_fits_the_column():
    with pytest.raises(TypeError):
        audit.ACTIONS["made_up"] = "Registered by importing a module"
    assert all(len(code) <= 20 for code in audit.ACTIONS)
    assert all(str(label) for label in audit.ACTIONS.values())


def test_a_code_outside_the_table_is_refused(app, make_staff):
    make_staff("ada@riverside.example", sign_in=False)
    with app.app_context():
        staff = db.session.execute(sa.select(StaffUser)).scalar_one()
        with pytest.raises(ValueError, match="unknown audit action"):
            with write_transaction():
                audit.record(staff, "made_up", None)
    assert _rows(app) == []


def test_a_staff_member_and_the_patient_as_actors(app, make_staff, patient):
    user = patient(sign_in=False)
    make_staff("ada@riverside.example", sign_in=False)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        staff = db.session.execute(sa.select(StaffUser)).scalar_one()
        account = db.session.execute(sa.select(PatientAccount).where(
            PatientAccount.username == user.username)).scalar_one()
        with write_transaction():
            audit.record(staff, audit.VIEWED, user.request_id)
            audit.record(account, audit.RESUBMITTED, user.request_id)
        ids = (staff.id, staff.practice_id, account.practice_id)
    staff_id, staff_practice, patient_practice = ids
    assert _rows(app) == [
        (staff_practice, staff_id, "viewed", user.request_id, "192.0.2.7"),
        (patient_practice, None, "resubmitted", user.request_id, "192.0.2.7")]
