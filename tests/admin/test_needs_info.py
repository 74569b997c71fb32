"""Done when: staff ask the patient for information (a message and the sections they
may correct) with and without JavaScript; the request waits for the patient; the email,
really delivered over SMTP, says only "sign in to read it"; bad input is 422, a second
decision 409, another practice's request 404; the request may still be rejected, not
approved, while it waits; the queue has a tab for it and marks a request sent back."""
import sqlalchemy as sa

from admin.requests.models import Decision
from audit import AuditEvent
from database import write_transaction
from enrollment.models import EnrollmentRequest, InfoRequest, utcnow
from extensions import db
from outbox import OutboxMessage, send_due
from tests.admin.conftest import request_of

SECRET = "Your member ID looks short: please check the card, front side."


def _ask(staff, req, htmx=True, message=SECRET, sections=("insurance",)):
    return staff.post(f"/admin/requests/{req.id}/needs-info",
                      {"message": message, "sections": list(sections)}, htmx=htmx)


def _asks(app, request_id) -> list[InfoRequest]:
    with app.app_context():
        return list(db.session.execute(sa.select(InfoRequest).where(
            InfoRequest.request_id == request_id)).scalars())


def _audit(app, request_id) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.action, e.detail) for e in db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.request_id == request_id)
            .order_by(AuditEvent.id)).scalars()]


def _set(app, request_id, **values):
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(EnrollmentRequest).where(
            EnrollmentRequest.id == request_id).values(**values))


def test_the_panel_offers_the_correctable_sections(app, make_staff, patient_request):
    req = patient_request(1)
    staff = make_staff()
    html = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert "Ask the patient for information" in html
    assert 'value="personal"' in html and 'value="insurance"' in html
    assert 'value="credentials"' not in html and 'value="security"' not in html
    assert "<legend>Sections the patient may correct" in html          # a fieldset
    assert '<label for="message">Message to the patient</label>' in html
    assert 'id="message-hint"' in html and "never sent by email" in html


def test_ask_with_htmx_waits_for_the_patient_and_emails_only_a_sign_in_link(
        app, smtp, make_staff, patient_request):
    req = patient_request(2)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    resp = _ask(staff, req, sections=("personal", "insurance"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in html
    assert 'role="status" tabindex="-1" data-focus' in html
    assert "Waiting for the patient" in html and "Member ID looks short" not in html
    assert "member ID looks short" in html                      # the message sent
    assert "Personal information, Insurance information" in html
    assert "Ask the patient for information" not in html        # asked already
    assert 'action="/admin/requests/%d/reject"' % req.id in html    # still rejectable
    assert 'action="/admin/requests/%d/approve"' % req.id not in html
    assert 'data-hx-swap-oob="true">(0 pending)' in html
    assert request_of(app, "patient2@example.org").status == "needs_info"
    assert request_of(app, "patient2@example.org").decided_at is None
    (ask,) = _asks(app, req.id)
    assert ask.message == SECRET and ask.sections == ["personal", "insurance"]
    assert ask.answered_at is None and ask.created_at
    assert _audit(app, req.id)[-1] == ("needs_info", "personal,insurance")
    with app.app_context():
        assert db.session.execute(sa.select(Decision)).first() is None   # not final
        assert send_due().failed == 0
    (message,) = [m for m in smtp.messages if m.rcpt_tos == ["patient2@example.org"]
                  and "has a message" in m.message["Subject"]]
    plain, rich = message.part("plain"), message.part("html")
    assert "http://localhost/login" in plain and 'href="http://localhost/login"' in rich
    assert "Sign in to read it" in plain
    for body in (plain, rich, message.message["Subject"]):
        assert "member ID" not in body and "Insurance" not in body and "insurance" not in body
    assert "Phone:" in plain                                   # the practice's contact


def test_ask_without_javascript_redirects_after_post(app, make_staff, patient_request):
    req = patient_request(3)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    resp = _ask(staff, req, htmx=False, sections=())   # a message alone is fine
    assert resp.status_code == 303
    assert resp.headers["Location"] == f"/admin/requests/{req.id}?result=needs_info"
    page = staff.get(resp.headers["Location"]).get_data(as_text=True)
    assert "<html" in page and "Sent. The patient is emailed" in page
    assert "None (a message only)" in page
    (ask,) = _asks(app, req.id)
    assert ask.sections == []
    assert _audit(app, req.id)[-2] == ("needs_info", "")


def test_invalid_asks_are_422_and_change_nothing(app, make_staff, patient_request):
    req = patient_request(4)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    cases = [({"message": "   ", "sections": ["personal"]}, "Write the message"),
             ({"message": SECRET, "sections": ["credentials"]}, "Choose sections from"),
             ({"message": SECRET, "sections": ["made-up"]}, "Choose sections from"),
             ({"message": "x" * 2001}, "2000 characters or fewer")]
    for htmx in (True, False):
        for data, error in cases:
            resp = staff.post(f"/admin/requests/{req.id}/needs-info", data, htmx=htmx)
            html = resp.get_data(as_text=True)
            assert resp.status_code == 422, data
            assert 'id="error-summary"' in html and error in html, data
            assert "made-up" not in html                 # never echoed back
    assert staff.post(f"/admin/requests/{req.id}/needs-info", {"message": SECRET},
                      token=False, htmx=True).status_code in (400, 422)
    assert request_of(app, "patient4@example.org").status == "pending"
    assert _asks(app, req.id) == []
    with app.app_context():
        assert db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.template == "needs_info")).first() is None


def test_a_second_decision_is_409(app, make_staff, patient_request):
    req = patient_request(5)
    ana, ben = make_staff(), make_staff("ben@riverside.example")
    ana.get(f"/admin/requests/{req.id}")
    ben.get(f"/admin/requests/{req.id}")
    assert _ask(ana, req).status_code == 200
    resp = _ask(ben, req, message="Another question")
    assert resp.status_code == 409 and "already decided" in resp.get_data(as_text=True)
    assert [a.message for a in _asks(app, req.id)] == [SECRET]
    # Approved first, then asked: 409 as well.
    other = patient_request(6)
    ana.get(f"/admin/requests/{other.id}")
    assert ana.post(f"/admin/requests/{other.id}/approve", htmx=True).status_code == 200
    assert _ask(ana, other).status_code == 409
    assert request_of(app, "patient6@example.org").status == "approved"
    assert _asks(app, other.id) == []


def test_another_practice_gets_404_and_nothing_changes(app, make_staff, patient_request):
    b_request = patient_request(7, practice="hillcrest-internal")
    a_staff = make_staff()
    for htmx in (True, False):
        resp = _ask(a_staff, b_request, htmx=htmx)
        assert resp.status_code == 404
        assert "Delgado" not in resp.get_data(as_text=True)
        resp = a_staff.post(f"/admin/requests/{b_request.id}/needs-info", {}, htmx=htmx)
        assert resp.status_code == 404                   # even with an invalid form
    assert request_of(app, "patient7@example.org").status == "pending"
    assert _asks(app, b_request.id) == [] and _audit(app, b_request.id) == []
    with app.app_context():
        assert db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.template == "needs_info")).first() is None


def test_reject_allowed_and_approve_refused_while_waiting(app, make_staff, patient_request):
    req = patient_request(8)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    _ask(staff, req)
    resp = staff.post(f"/admin/requests/{req.id}/approve", htmx=True)
    assert resp.status_code == 409
    assert "waits for the patient's answer" in resp.get_data(as_text=True).replace("&#39;", "'")
    resp = staff.post(f"/admin/requests/{req.id}/approve", {"view": "row"}, htmx=True)
    assert resp.status_code == 409 and 'id="request-%d"' % req.id in resp.get_data(as_text=True)
    assert request_of(app, "patient8@example.org").status == "needs_info"
    resp = staff.post(f"/admin/requests/{req.id}/reject", {"reason": "contact_practice"},
                      htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Rejected." in html
    after = request_of(app, "patient8@example.org")
    assert after.status == "rejected" and after.decided_at is not None
    assert "Earlier requests for information" not in html
    assert "Requests for information" in html and "Not answered yet." in html
    assert [a for a, _ in _audit(app, req.id)][-2:] == ["needs_info", "rejected"]


def test_the_queue_has_a_tab_and_marks_a_request_sent_back(app, make_staff,
                                                           patient_request):
    waiting, back, plain = patient_request(9), patient_request(10), patient_request(11)
    staff = make_staff()
    staff.get(f"/admin/requests/{waiting.id}")
    _ask(staff, waiting)
    _set(app, back.id, status="pending", resubmitted_at=utcnow())
    queue = staff.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/?status=needs_info"' in queue and ">Needs information<" in queue
    assert f'/admin/requests/{waiting.id}"' not in queue
    row = queue[queue.index(f'id="request-{back.id}"'):]
    row = row[:row.index("</tr>")]
    assert '<span class="tag">Updated</span>' in row
    plain_row = queue[queue.index(f'id="request-{plain.id}"'):]
    assert "Updated" not in plain_row[:plain_row.index("</tr>")]
    tab = staff.get("/admin/?status=needs_info").get_data(as_text=True)
    assert f'/admin/requests/{waiting.id}"' in tab and "(1 in all)" in tab
    assert 'aria-current="page">Needs information' in tab
    assert f'/admin/requests/{back.id}"' not in tab
    detail = staff.get(f"/admin/requests/{back.id}").get_data(as_text=True)
    assert "The patient sent the request back, updated" in detail


def test_the_history_shows_answered_asks(app, make_staff, patient_request):
    req = patient_request(12)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    _ask(staff, req)
    with app.app_context(), write_transaction():   # what account/corrections.py does
        now = utcnow()
        db.session.execute(sa.update(InfoRequest).where(
            InfoRequest.request_id == req.id).values(answered_at=now))
        db.session.execute(sa.update(EnrollmentRequest).where(
            EnrollmentRequest.id == req.id).values(status="pending", resubmitted_at=now))
    html = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert "Requests for information" in html and "Answered on" in html
    assert f"Asked by {staff.email}" in html and "member ID looks short" in html
    assert "Ask the patient for information" in html       # may ask again
    assert _ask(staff, req, message="One more thing").status_code == 200
    html = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert "Waiting for the patient" in html and "Earlier requests for information" in html
    assert html.index("One more thing") < html.index("member ID looks short")


def test_the_approval_email_links_to_sign_in(app, smtp, make_staff, patient_request):
    req = patient_request(13)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    assert staff.post(f"/admin/requests/{req.id}/approve", htmx=True).status_code == 200
    with app.app_context():
        assert send_due().failed == 0
    (message,) = [m for m in smtp.messages if m.rcpt_tos == ["patient13@example.org"]
                  and "is approved" in m.message["Subject"]]
    assert "Sign in to the portal here:\r\nhttp://localhost/login\r\n" in message.part("plain")
    assert 'href="http://localhost/login"' in message.part("html")
