"""The "needs information" loop from the patient's side, and the whole round trip:
staff ask -> email -> the patient signs in, reads, corrects, sends it back -> the
request is in the queue again, marked as updated, with audit rows."""
import pytest
import sqlalchemy as sa

from audit import AuditEvent
from enrollment.models import EnrollmentRequest, InfoRequest, RequestRevision
from extensions import db
from tests.account.conftest import deliver, status_of

MESSAGE = "Your date of birth does not match our records. Please check it."


def ask(staff, request_id, sections=("personal",), message=MESSAGE, htmx=False):
    staff.get(f"/admin/requests/{request_id}")
    resp = staff.post(f"/admin/requests/{request_id}/needs-info",
                      {"message": message, "sections": list(sections)}, htmx=htmx)
    assert resp.status_code in (200, 303), resp.get_data(as_text=True)[:2000]
    return resp


def request_row(app, request_id) -> EnrollmentRequest:
    with app.app_context():
        return db.session.get(EnrollmentRequest, request_id, populate_existing=True)


@pytest.mark.parametrize("htmx", [False, True])
def test_round_trip_from_the_staff_decision_to_the_resubmitted_request(
        app, patient, make_staff, smtp, htmx):
    user = patient(sign_in=False)
    staff = make_staff()
    ask(staff, user.request_id, ("personal", "insurance"))
    assert status_of(app, user.request_id) == "needs_info"

    [email] = [m for m in deliver(app, smtp, user.email)
               if "message" in m.message["Subject"].lower()]
    text = email.part("plain")
    assert "/login" in text and MESSAGE not in text   # sign in to read it

    assert user.sign_in().status_code == 303
    page = user.get("/status", htmx=htmx).get_data(as_text=True)
    assert "Needs information" in page and MESSAGE in page
    assert 'href="/status/correct/personal"' in page
    assert 'href="/status/correct/insurance"' in page

    form = user.get("/status/correct/personal", htmx=htmx).get_data(as_text=True)
    assert 'value="Delgado"' in form and 'value="1984-03-09"' in form
    bad = user.post("/status/correct/personal", {"first_name": "Maria", "last_name": "",
                                                 "date_of_birth": "1984-03-19"}, htmx=htmx)
    assert bad.status_code == 422 and 'id="error-summary"' in bad.get_data(as_text=True)
    assert request_row(app, user.request_id).last_name == "Delgado"   # nothing saved

    fields = {"first_name": "Maria", "middle_name": "", "last_name": "Delgado",
              "street": "12 Elm Street", "line2": "Apt 3", "city": "Springfield",
              "state": "IL", "zip_code": "62701", "phone": "(217) 555-0199",
              "date_of_birth": "1984-03-19", "email": user.email}
    resp = user.post("/status/correct/personal", fields, htmx=htmx)
    if htmx:
        assert resp.status_code == 200 and resp.headers["HX-Push-Url"] == \
            "/status?saved=personal"
        assert "Saved." in resp.get_data(as_text=True)
    else:
        assert resp.status_code == 303
        assert "Saved." in user.get(resp.headers["Location"]).get_data(as_text=True)
    assert request_row(app, user.request_id).date_of_birth.isoformat() == "1984-03-19"
    assert status_of(app, user.request_id) == "needs_info"   # still with the patient

    resp = user.post("/status/resubmit", htmx=htmx)
    assert resp.status_code == (200 if htmx else 303)
    row = request_row(app, user.request_id)
    assert row.status == "pending" and row.resubmitted_at is not None
    with app.app_context():
        info = db.session.execute(sa.select(InfoRequest)).scalar_one()
        assert info.answered_at is not None and info.sections == ["personal", "insurance"]
        actions = db.session.execute(sa.select(AuditEvent.action, AuditEvent.staff_id)
                                     .where(AuditEvent.request_id == user.request_id)
                                     .order_by(AuditEvent.id)).all()
    assert ("needs_info" in [a for a, _ in actions])
    assert ("resubmitted", None) in [tuple(a) for a in actions]
    queue = staff.get("/admin/").get_data(as_text=True)
    assert f'id="request-{user.request_id}"' in queue and "Updated" in queue
    # The loop is closed: no more corrections, no second resubmission.
    assert user.get("/status/correct/personal").status_code == 404
    assert user.post("/status/resubmit").status_code == 409


def test_only_opened_sections_can_be_corrected(app, patient, make_staff):
    user = patient()
    assert user.get("/status/correct/personal").status_code == 404   # nothing asked yet
    ask(make_staff(), user.request_id, ("insurance",))
    assert user.get("/status/correct/personal").status_code == 404
    assert user.get("/status/correct/credentials").status_code == 404
    assert user.get("/status/correct/nonsense").status_code == 404
    assert user.get("/status/correct/insurance").status_code == 200


def test_a_new_email_address_must_be_confirmed_again(app, patient, make_staff, smtp):
    user = patient()
    ask(make_staff(), user.request_id, ("personal",))
    deliver(app, smtp, user.email)
    fields = {"first_name": "Maria", "last_name": "Delgado", "street": "12 Elm Street",
              "city": "Springfield", "state": "IL", "zip_code": "62701",
              "phone": "(217) 555-0199", "date_of_birth": "1984-03-09",
              "email": "maria.new@example.org"}
    assert user.post("/status/correct/personal", fields).status_code == 303
    row = request_row(app, user.request_id)
    assert row.email == "maria.new@example.org" and row.email_confirmed_at is None
    assert user.post("/status/resubmit").status_code == 303
    sent = deliver(app, smtp, "maria.new@example.org")
    assert any("/enroll/confirm/" in m.part("plain") for m in sent)


def test_staff_deciding_meanwhile_closes_the_loop(app, patient, make_staff):
    user = patient()
    staff = make_staff()
    ask(staff, user.request_id, ("personal",))
    resp = staff.post(f"/admin/requests/{user.request_id}/reject",
                      {"reason": "not_a_patient"})
    assert resp.status_code in (200, 303)
    # The rejected patient's account is gone: their session ends with it.
    assert user.get("/status").status_code == 303


def test_the_confirmation_link_can_be_sent_again_while_the_request_is_with_the_patient(
        app, patient, make_staff, smtp, monkeypatch):
    from datetime import timedelta

    from database import write_transaction
    from enrollment.models import utcnow
    user = patient(confirmed=False)
    staff = make_staff()
    with monkeypatch.context() as patch:   # staff may ask meanwhile
        patch.setitem(app.config, "APPROVAL_REQUIRES_CONFIRMED_EMAIL", False)
        ask(staff, user.request_id, ("insurance",))
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(EnrollmentRequest).where(
            EnrollmentRequest.id == user.request_id).values(
            confirmation_sent_at=utcnow() - timedelta(minutes=2)))
    page = user.get("/status").get_data(as_text=True)
    assert "Needs information" in page and "Send a new link" in page
    resp = user.post("/status/new-link")
    assert resp.status_code == 200 and "A new link is on its way" in resp.get_data(as_text=True)
    assert any("/enroll/confirm/" in m.part("plain") for m in deliver(app, smtp, user.email))


def test_a_corrected_name_is_searched_by_its_new_words(app, patient, make_staff):
    user = patient()
    staff = make_staff()
    ask(staff, user.request_id, ("personal",))
    fields = {"first_name": "María", "last_name": "Núñez-O'Brien", "street": "12 Elm Street",
              "city": "Springfield", "state": "IL", "zip_code": "62701",
              "phone": "(217) 555-0199", "date_of_birth": "1984-03-09", "email": user.email}
    assert user.post("/status/correct/personal", fields).status_code == 303

    def found(typed):
        return f"/admin/requests/{user.request_id}\"" in staff.post(
            "/admin/search", {"by": "name", "q": typed}, htmx=True).get_data(as_text=True)
    assert found("nunez obrien") and found("maria obrien")
    assert not found("maria delgado")


def test_the_request_page_shows_old_and_new_side_by_side(app, patient, make_staff):
    user = patient()
    staff = make_staff()
    ask(staff, user.request_id, ("personal",))
    fields = {"first_name": "Maria", "last_name": "Delgado-Ruiz", "street": "12 Elm Street",
              "line2": "Apt 3", "city": "Springfield", "state": "IL", "zip_code": "62701",
              "phone": "(217) 555-0199", "date_of_birth": "1984-03-19", "email": user.email}
    assert user.post("/status/correct/personal", fields).status_code == 303
    assert user.post("/status/resubmit").status_code == 303
    with app.app_context():
        revision = db.session.execute(sa.select(RequestRevision)).scalar_one()
        assert revision.section == "personal" and revision.values["last_name"] == "Delgado"
        raw = db.session.execute(sa.text("SELECT \"values\" FROM request_revision")).scalar()
        assert "Delgado" not in raw   # encrypted like the request
    html = staff.get(f"/admin/requests/{user.request_id}").get_data(as_text=True)
    changes = html[html.index('id="changes"'):]
    changes = changes[:changes.index("</section>")]
    assert "<del>Delgado</del></td><td><ins>Delgado-Ruiz</ins>" in changes
    assert "<del>1984-03-09</del></td><td><ins>1984-03-19</ins>" in changes
    assert "Springfield" not in changes   # unchanged fields are not listed
