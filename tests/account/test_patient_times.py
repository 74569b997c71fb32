"""Issue 14, items 6 and 7: times in the practice's zone, appointments where the
patient looks.

Every patient page and email that shows a time (the status page's message from the
practice, the recovery lock's "try again after", the confirmed appointment) shows it in
the practice's zone with its abbreviation, never "UTC".  Once confirmed, the account
page shows the appointment's date, time, provider and location; the "request received"
email on the appointment path says an appointment request was sent too, without the
reason's text."""
import pytest
import sqlalchemy as sa

from enrollment.models import EnrollmentRequest
from extensions import db

from tests.account.conftest import PatientUser, deliver
from tests.account.recovery_helpers import answer, ask_link, open_link
from tests.admin.appointment_helpers import VISIT_REASON, choices_of, make_appointment
from tests.admin.conftest import confirm_email, request_of
from tests.admin.test_appointments import NEXT, _slot
from tests.outbox.conftest import enroll
from tests.wizard import read_page

SENT_TOO = ("An appointment request was sent with it. The practice will email you when "
            "it confirms a date and time.")


@pytest.fixture
def in_la(runner):
    result = runner.invoke(args=["practice", "update", "riverside-family",
                                 "--timezone", "America/Los_Angeles"])
    assert result.exit_code == 0, result.output


def parts(message) -> list[str]:
    return [message.part("plain"), message.part("html")]


def test_the_received_email_says_an_appointment_request_was_sent_too(app, smtp, practices,
                                                                     patient):
    req, _ = make_appointment(app, practices, 1, confirmed=False)
    (received,) = [m for m in deliver(app, smtp, req.email)
                   if "received your enrollment request" in m.message["Subject"]]
    for part in parts(received):
        assert SENT_TOO in part and VISIT_REASON not in part and "Chest" not in part
    plain = patient(n=3, sign_in=False)   # no appointment: not a word about one
    (only,) = [m for m in deliver(app, smtp, plain.email)
               if "received your enrollment request" in m.message["Subject"]]
    assert all("appointment" not in part.lower() for part in parts(only))


def _booked(app, practices, make_staff, n: int, staff=None):
    """An approved enrollment with its appointment confirmed (winter, 9:00 in the
    practice's zone, its first provider and location); the signed-in patient."""
    req, _ = make_appointment(app, practices, n)
    staff = staff or make_staff()
    resp = staff.post(f"/admin/requests/{req.id}/approve-both", _slot(app), htmx=True)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    user = PatientUser(app.test_client(), f"appt-user{n}", req.email, req.id)
    assert user.sign_in().status_code == 303
    return user


def test_the_account_page_shows_the_confirmed_appointment(app, smtp, practices, make_staff,
                                                           in_la):
    user = _booked(app, practices, make_staff, 1)
    page = user.get("/account").get_data(as_text=True)
    shown = read_page(page).texts["appointment"]
    _, provider, _, location = choices_of(app, "riverside-family")
    assert f"January 15, {NEXT}" in shown and "9:00" in shown and "AM PST" in shown
    assert provider in shown and location in shown
    assert VISIT_REASON not in page and "UTC" not in page


def test_a_pending_appointment_shows_no_time(app, smtp, practices, make_staff):
    req, _ = make_appointment(app, practices, 1)
    staff = make_staff()
    assert staff.post(f"/admin/requests/{req.id}/approve", htmx=True).status_code == 200
    user = PatientUser(app.test_client(), "appt-user1", req.email, req.id)
    assert user.sign_in().status_code == 303
    page = user.get("/account").get_data(as_text=True)
    assert 'id="appointment"' not in page and "The practice will email you" in page


def test_no_patient_page_or_email_says_utc(app, smtp, practices, make_staff, patient,
                                          in_la):
    seen = {}
    # The status page: the practice's message and when it was sent.
    asked = patient(n=0)
    staff = make_staff()
    resp = staff.post(f"/admin/requests/{asked.request_id}/needs-info",
                      {"message": "Please check your member ID.",
                       "sections": ["insurance"]}, htmx=True)
    assert resp.status_code == 200
    seen["status page"] = asked.get("/status").get_data(as_text=True)
    assert "Message from Riverside Family Medicine" in seen["status page"]
    # The account page with a confirmed appointment.
    booked = _booked(app, practices, make_staff, 1, staff)
    seen["account page"] = booked.get("/account").get_data(as_text=True)
    # The recovery lock's "try again after".
    _, path = ask_link(app, smtp, booked.username, booked.email)
    person, _, questions = open_link(app, path)
    for _ in range(3):
        locked = answer(person, path, questions, right=False)
    assert locked.status_code == 423
    seen["recovery lock"] = locked.get_data(as_text=True)
    # Every email the outbox sent them.
    for to in (asked.email, booked.email):
        for message in deliver(app, smtp, to):
            for i, part in enumerate(parts(message)):
                seen[f"email {message.message['Subject']!r} part {i}"] = part
    assert any("appointment" in k and "confirmed" in k for k in seen)
    assert len(seen) >= 8
    with_utc = sorted(name for name, html in seen.items() if "UTC" in html)
    assert with_utc == []
    for name in ("status page", "account page", "recovery lock"):
        assert "PST" in seen[name], name


# --- item 8 -------------------------------------------------------------------------------

def test_two_requests_one_approved_one_rejected_each_email_says_which(
        app, smtp, practices, make_staff):
    """One address, two requests (two practices' staff decide differently): the
    approval and the rejection each name their own request by reference and date, and
    its username once the address is confirmed."""
    shared = "both.requests@example.org"
    enroll(app, practices["riverside-family"], 7, personal={"email": shared})
    first = request_of(app, shared)
    enroll(app, practices["hillcrest-internal"], 8, personal={"email": shared})
    with app.app_context():
        reqs = db.session.execute(sa.select(EnrollmentRequest).where(
            EnrollmentRequest.email == shared).order_by(EnrollmentRequest.id)).scalars().all()
        second = reqs[1]
    for req in (first, second):
        confirm_email(app, req.id)
    ana = make_staff("ana@riverside.example")
    assert ana.post(f"/admin/requests/{first.id}/approve", htmx=True).status_code == 200
    ben = make_staff("ben@hillcrest.example", practice="hillcrest-internal")
    assert ben.post(f"/admin/requests/{second.id}/reject", {"reason": "not_a_patient"},
                    htmx=True).status_code == 200
    delivered = deliver(app, smtp, shared)
    (approved,) = [m for m in delivered if "is approved" in m.message["Subject"]]
    (rejected,) = [m for m in delivered if "About your enrollment request with Hillcrest"
                   in m.message["Subject"]]
    assert first.reference != second.reference
    for message, mine, other, username in ((approved, first, second, "outbox-user7"),
                                           (rejected, second, first, "outbox-user8")):
        for part in parts(message):
            assert mine.reference in part and other.reference not in part
            assert "sent on" in part and f"Username: {username}" in part
