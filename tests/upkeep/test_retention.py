"""`flask --app app purge`, with time moved forward: a rejected request's personal data
goes RETENTION_REJECTED_DAYS after the decision (its row, status, dates and audit rows
stay; the staff's pages say what happened); audit rows go after AUDIT_RETENTION_DAYS,
by the one deletion the audit table allows; expired drafts, links and sessions too."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

import upkeep.retention
from audit import AuditEvent, AuditIsAppendOnly
from auth.clock import utcnow
from database import write_transaction
from enrollment.models import AppointmentRequest, EmailConfirmation, EnrollmentRequest
from extensions import db
from outbox import OutboxMessage
from tests.admin.conftest import request_of
from tests.upkeep.helpers import MEMBER_ID, REASON, enroll_with_everything

R = EnrollmentRequest


@pytest.fixture
def purge_at(app, runner, monkeypatch):
    """`flask --app app purge` run `days` from now; {kind: count} of what it said."""
    def run(days: float) -> dict:
        later = utcnow() + timedelta(days=days)
        monkeypatch.setattr(upkeep.retention, "utcnow", lambda: later)
        result = runner.invoke(args=["purge"])
        assert result.exit_code == 0, result.output
        return {line.rsplit(": ", 1)[0]: int(line.rsplit(": ", 1)[1])
                for line in result.output.splitlines()}
    return run


def rejected_kind(days: int = 30) -> str:
    return f"rejected requests whose personal data was deleted (after {days} days)"


def as_sent(app) -> None:
    """The sender's work (outbox/sender.py): every waiting email sent, its body gone."""
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(OutboxMessage).values(status="sent", body_text="",
                                                           body_html=""))


def test_a_rejected_requests_personal_data_goes_after_the_retention_period(
        app, practices, make_staff, purge_at):
    enroll_with_everything(app, practices["riverside-family"], 1)
    enroll_with_everything(app, practices["riverside-family"], 2)   # stays pending
    gone, kept = request_of(app, "patient1@example.org"), request_of(app, "patient2@example.org")
    staff = make_staff(admin=True)
    staff.get(f"/admin/requests/{gone.id}")
    staff.post(f"/admin/requests/{gone.id}/reject",
               {"reason": "not_a_patient", "note": f"Member ID {MEMBER_ID} unknown"})
    as_sent(app)
    with app.app_context():
        audit_rows = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                                        .where(AuditEvent.request_id == gone.id)).scalar()

    assert purge_at(29)[rejected_kind()] == 0
    assert purge_at(31)[rejected_kind()] == 1
    assert purge_at(32)[rejected_kind()] == 0   # done once

    after = _request(app, gone.id)
    assert (after.id, after.practice_id, after.status, after.created_at, after.decided_at) == (
        gone.id, gone.practice_id, "rejected", gone.created_at, after.decided_at)
    assert after.decided_at is not None and after.purged_at is not None
    for column in upkeep.retention.retention.PERSONAL:
        attribute = "_step_values" if column == "step_values" else column
        assert getattr(after, attribute) is None, column
    with app.app_context():
        assert db.session.execute(sa.select(AppointmentRequest.reason).where(
            AppointmentRequest.enrollment_id == gone.id)).scalar_one() is None
        assert db.session.execute(sa.select(sa.func.count()).select_from(EmailConfirmation)
                                  .where(EmailConfirmation.request_id == gone.id)).scalar() == 0
        left_to = set(db.session.execute(sa.select(OutboxMessage.to_addr)).scalars())
        assert left_to == {"patient2@example.org"}   # the emails to the purged address go
        assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.request_id == gone.id)).scalar() == audit_rows   # audit rows stay
    untouched = _request(app, kept.id)
    assert untouched.purged_at is None and untouched.insurance_member_id == MEMBER_ID
    assert untouched.appointment.reason == REASON

    # The staff's pages cope, and say what happened (a month on: signed in again).
    staff.sign_in()
    queue = staff.get("/admin/?status=rejected").get_data(as_text=True)
    assert "Personal data deleted after 30 days" in queue and f"#{gone.id}" in queue
    detail = staff.get(f"/admin/requests/{gone.id}")
    html = detail.get_data(as_text=True)
    assert detail.status_code == 200 and "Personal data deleted after 30 days" in html
    assert MEMBER_ID not in html and REASON not in html and "unknown" not in html
    assert f"Request #{gone.id}" in html
    declined = staff.get("/admin/appointments?status=declined").get_data(as_text=True)
    assert f"Request #{gone.id} (personal data deleted)" in declined
    trail = staff.get(f"/admin/audit?request={gone.id}").get_data(as_text=True)
    assert f"Request #{gone.id} (personal data deleted)." in trail
    found = staff.post("/admin/search", {"by": "dob", "q": "1984-03-09"}, htmx=True)
    assert f"/admin/requests/{kept.id}\"" in found.get_data(as_text=True)
    assert f"/admin/requests/{gone.id}\"" not in found.get_data(as_text=True)
    other = staff.get(f"/admin/requests/{kept.id}").get_data(as_text=True)
    assert f"/admin/requests/{gone.id}\"" not in other   # not a possible duplicate now


def _request(app, request_id: int) -> EnrollmentRequest:
    with app.app_context():
        return db.session.get(R, request_id, populate_existing=True,
                              options=[joinedload(R.appointment)])


def test_the_retention_period_is_configurable(app, practices, make_staff, purge_at,
                                              monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_REJECTED_DAYS", 7)
    enroll_with_everything(app, practices["riverside-family"], 1)
    req = request_of(app, "patient1@example.org")
    staff = make_staff()
    staff.post(f"/admin/requests/{req.id}/reject", {"reason": "not_a_patient"})
    assert purge_at(6)[rejected_kind(7)] == 0
    assert purge_at(8)[rejected_kind(7)] == 1
    staff.sign_in()
    html = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert "Personal data deleted after 7 days" in html


def test_audit_rows_are_kept_six_years_then_deleted(app, practices, make_staff, purge_at,
                                                     patient_request):
    req = patient_request(1)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    with app.app_context():
        written = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                                     ).scalar()
    assert written >= 1 and app.config["AUDIT_RETENTION_DAYS"] == 2190
    kind = "audit rows over 2190 days old deleted"
    assert purge_at(2189)[kind] == 0
    assert purge_at(2191)[kind] == written
    with app.app_context():
        assert db.session.execute(sa.select(AuditEvent)).first() is None


def test_the_purge_is_the_only_bulk_deletion_of_audit_rows(app, make_staff, patient_request):
    req = patient_request(1)
    make_staff().get(f"/admin/requests/{req.id}")
    with app.app_context():
        for statement in (sa.delete(AuditEvent), sa.update(AuditEvent).values(detail="x"),
                          sa.delete(AuditEvent).execution_options(audit_retention_purge=False)):
            with pytest.raises(AuditIsAppendOnly):
                db.session.execute(statement)
            db.session.rollback()
        assert db.session.execute(sa.select(AuditEvent)).first() is not None


def test_expired_drafts_links_and_the_old_name(app, runner, patient_request, purge_at):
    patient_request(1, confirmed=False)   # an email-confirmation link, 72 hours
    counted = purge_at(0.5)
    assert counted["expired drafts deleted"] == 0
    counted = purge_at(1.5)
    assert counted["expired drafts deleted"] == 1   # the submitted draft, 24 hours on
    assert counted["links expired over 30 days ago deleted"] == 0
    counted = purge_at(40)
    assert counted["links expired over 30 days ago deleted"] == 1
    old_name = runner.invoke(args=["purge-drafts"])
    assert old_name.exit_code == 0
    assert "purge-drafts is now called purge" in old_name.output
    assert "expired drafts deleted: 0" in old_name.output


def test_vacuum_rewrites_the_database(app, runner, patient_request):
    """SQLite: VACUUM and an empty write-ahead log; PostgreSQL: VACUUM FULL of the tables
    that hold encrypted values.  The data is still there after."""
    req = patient_request(1)
    result = runner.invoke(args=["vacuum"])
    assert result.exit_code == 0, result.output
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert "vacuumed the SQLite file and emptied its write-ahead log" in result.output
    else:
        assert "VACUUM FULL of" in result.output and "enrollment_request" in result.output
    assert _request(app, req.id).insurance_member_id == ""
