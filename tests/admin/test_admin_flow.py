"""Done when: a staff member created by the CLI signs in, finds a patient's pending
request, approves it, and the approval email is really delivered over SMTP; the same
for a rejection, which releases the username."""
import re

import sqlalchemy as sa

from admin.requests.models import Decision
from audit import AuditEvent
from enrollment.models import PatientAccount
from extensions import db
from outbox import OutboxMessage, send_due
from tests.admin.conftest import request_of, text_of
from tests.outbox.conftest import enroll


def _find(staff, **search):
    resp = staff.post("/admin/search", search, htmx=True)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_staff_finds_approves_and_the_email_is_delivered(app, smtp, make_staff,
                                                         patient_request):
    req = patient_request(1)
    staff = make_staff()
    queue = staff.get("/admin/").get_data(as_text=True)
    assert "Delgado, Maria" in queue and "(1 pending)" in queue and "Confirmed" in queue
    found = _find(staff, by="name", q="delg")
    assert f'href="/admin/requests/{req.id}"' in found
    detail = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert "12 Elm Street" in detail and "Approve" in detail
    assert "argon2" not in detail and "Biscuit" not in detail   # no hash, no answer
    resp = staff.post(f"/admin/requests/{req.id}/approve", htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Approved." in html
    assert 'id="pending-count" class="count" data-hx-swap-oob="true">(0 pending)' in html
    with app.app_context():
        account = db.session.get(PatientAccount, req.account_id)
        assert account.active
        decision = db.session.execute(sa.select(Decision)).scalar_one()
        assert decision.decision == "approved" and decision.staff.email == staff.email
        assert send_due().failed == 0
    (message,) = [m for m in smtp.messages if m.rcpt_tos == ["patient1@example.org"]
                  and "is approved" in m.message["Subject"]]
    assert "Username: outbox-user1" in message.part("plain")


def test_reject_emails_the_reason_and_releases_the_username(app, smtp, make_staff,
                                                            patient_request, practices):
    req = patient_request(2)
    staff = make_staff()
    detail = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert 'value="not_a_patient"' in detail
    resp = staff.post(f"/admin/requests/{req.id}/reject",
                      {"reason": "not_a_patient", "note": "Called: unknown at front desk"},
                      htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Rejected." in html
    assert "Called: unknown at front desk" in html        # the note stays on the dashboard
    assert request_of(app, "patient2@example.org").account_id is None
    with app.app_context():
        assert db.session.execute(sa.select(PatientAccount)).first() is None
        assert send_due().failed == 0
    (message,) = [m for m in smtp.messages if m.rcpt_tos == ["patient2@example.org"]
                  and m.message["Subject"].startswith("About your enrollment request")]
    body = message.part("plain")
    assert "could not find you among the practice's patients" in body
    assert "Called" not in body and "Called" not in message.part("html")
    # The username is free again: a new enrollment takes it.
    enroll(app, practices["riverside-family"], 3,
           credentials={"username": "outbox-user2"})
    with app.app_context():
        assert db.session.get(PatientAccount, request_of(
            app, "patient3@example.org").account_id).username == "outbox-user2"


def test_without_javascript_decisions_redirect_after_post(app, make_staff, patient_request):
    req = patient_request(4)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    resp = staff.post(f"/admin/requests/{req.id}/approve")
    assert resp.status_code == 303
    assert resp.headers["Location"] == f"/admin/requests/{req.id}?result=approved"
    page = staff.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Approved." in page and "<html" in page


def test_approval_needs_a_confirmed_email(app, make_staff, patient_request, monkeypatch):
    req = patient_request(5, confirmed=False)
    staff = make_staff()
    detail = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert "Approval waits until the patient confirms" in detail
    resp = staff.post(f"/admin/requests/{req.id}/approve", htmx=True)
    assert resp.status_code == 409
    assert "has not confirmed their email address" in resp.get_data(as_text=True)
    assert request_of(app, "patient5@example.org").status == "pending"
    monkeypatch.setitem(app.config, "APPROVAL_REQUIRES_CONFIRMED_EMAIL", False)
    assert staff.post(f"/admin/requests/{req.id}/approve", htmx=True).status_code == 200


def test_reject_needs_an_offered_reason(app, runner, make_staff, patient_request):
    req = patient_request(6)
    result = runner.invoke(args=["practice", "update", "riverside-family",
                                 "--reasons", "duplicate,contact_practice"])
    assert result.exit_code == 0, result.output
    staff = make_staff()
    detail = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert 'value="duplicate"' in detail and 'value="not_a_patient"' not in detail
    for reason in ("", "not_a_patient", "made-up"):
        resp = staff.post(f"/admin/requests/{req.id}/reject", {"reason": reason}, htmx=True)
        assert resp.status_code == 422 and 'id="error-summary"' in resp.get_data(as_text=True)
    assert request_of(app, "patient6@example.org").status == "pending"


def test_each_decision_is_one_transaction_with_audit_and_outbox(app, make_staff,
                                                                 patient_request):
    req = patient_request(7)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    staff.post(f"/admin/requests/{req.id}/approve", htmx=True)
    with app.app_context():
        actions = [e.action for e in db.session.execute(
            sa.select(AuditEvent).order_by(AuditEvent.id)).scalars()]
        # Signing in lands on the queue (listed, audited), then the detail, the decision.
        assert actions == ["queue_viewed", "viewed", "approved"]
        assert db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.template == "approved")).scalar() == 1


def test_new_request_notice_goes_to_the_reply_to_with_only_a_link(app, smtp, practices):
    from tests.outbox.test_outbox_confirm import deliver_link
    from tests.conftest import csrf_token
    patient = enroll(app, practices["riverside-family"], 8)
    path, _ = deliver_link(app, smtp)
    html = patient.get(path).get_data(as_text=True)
    patient.post(path, {"csrf_token": csrf_token(html)}, token=False)
    with app.app_context():
        send_due()
    (notice,) = [m for m in smtp.messages if m.rcpt_tos == ["frontdesk@riverside.example"]]
    text = notice.part("plain")
    assert "http://localhost/admin/" in text
    assert "Maria" not in text and "Delgado" not in text and "patient8" not in text
    assert "1984" not in notice.part("html")


def test_the_notice_is_a_practice_setting(app, smtp, runner, practices):
    from tests.outbox.test_outbox_confirm import deliver_link
    from tests.conftest import csrf_token
    assert runner.invoke(args=["practice", "update", "riverside-family",
                               "--no-notify"]).exit_code == 0
    patient = enroll(app, practices["riverside-family"], 9)
    path, _ = deliver_link(app, smtp)
    html = patient.get(path).get_data(as_text=True)
    patient.post(path, {"csrf_token": csrf_token(html)}, token=False)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.template == "new_request")).scalar() == 0


def test_focus_and_accessibility_of_the_queue(make_staff, patient_request):
    patient_request(10)
    staff = make_staff()
    html = staff.get("/admin/").get_data(as_text=True)
    assert "<caption>" in html and '<th scope="col">' in html and '<th scope="row">' in html
    assert 'id="page-heading" tabindex="-1"' in html
    assert re.search(r'aria-current="page">Pending approval<', html)
    assert 'id="idle"' in html and "Stay signed in" in html
    fragment = staff.post("/admin/search", {"by": "name", "q": "mar"}, htmx=True)
    assert "data-focus" in fragment.get_data(as_text=True)
    assert text_of(fragment.get_data(as_text=True), "results-heading") == "Search results"
    assert fragment.headers["Cache-Control"] == "no-store"
