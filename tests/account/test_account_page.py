"""The account page of an approved patient: what it shows, changing the password
(current one required, same policy, other sessions end) and the security questions."""
import pytest
import sqlalchemy as sa

from auth.hashing import verify_secret
from enrollment.models import SecurityAnswer
from enrollment.policy import normalise_answer
from extensions import db
from tests.account.conftest import PASSWORD, PatientUser, account_of, approve, deliver

NEW = "otter lantern meadow 1999"


@pytest.fixture
def approved(app, patient, make_staff):
    def make(n=0, **kw):
        user = patient(n, sign_in=False, **kw)
        approve(app, make_staff, user.request_id, staff_email=f"ana{n}@riverside.example")
        assert user.sign_in().status_code == 303
        return user
    return make


def answers_of(app, username):
    account = account_of(app, username)
    with app.app_context():
        return db.session.execute(sa.select(SecurityAnswer).where(
            SecurityAnswer.account_id == account.id)
            .order_by(SecurityAnswer.position)).scalars().all()


def test_the_page_shows_name_practice_status_appointment_and_contact(approved):
    page = approved().get("/account").get_data(as_text=True)
    for text in ("Maria Delgado", "outbox-user0", "Riverside Family Medicine", "Approved",
                 "You have no appointment request.", "Contact Riverside", 'href="tel:+1',
                 "Change your password", "Sign out"):
        assert text in page, text


@pytest.mark.parametrize("htmx", [False, True])
def test_change_password_needs_the_current_one_and_ends_other_sessions(app, approved,
                                                                       smtp, htmx):
    user = approved()
    elsewhere = PatientUser(app.test_client(), user.username, user.email, user.request_id)
    assert elsewhere.sign_in().status_code == 303
    user.get("/account/password")

    resp = user.post("/account/password", {"current": "not it", "password": NEW,
                                           "confirm": NEW}, htmx=htmx)
    assert resp.status_code == 422
    assert "That is not your current password." in resp.get_data(as_text=True)
    resp = user.post("/account/password", {"current": PASSWORD, "password": "password1234",
                                           "confirm": "password1234"}, htmx=htmx)
    assert resp.status_code == 422 and "too common" in resp.get_data(as_text=True)
    resp = user.post("/account/password", {"current": PASSWORD, "password": "short",
                                           "confirm": "short"}, htmx=htmx)
    assert resp.status_code == 422 and "at least 12" in resp.get_data(as_text=True)
    resp = user.post("/account/password", {"current": PASSWORD, "password": NEW,
                                           "confirm": NEW + "x"}, htmx=htmx)
    assert resp.status_code == 422 and "do not match" in resp.get_data(as_text=True)

    resp = user.post("/account/password", {"current": PASSWORD, "password": NEW,
                                           "confirm": NEW}, htmx=htmx)
    target = "/account?done=password"
    if htmx:
        assert resp.status_code == 204 and resp.headers["HX-Redirect"] == target
    else:
        assert resp.status_code == 303 and resp.headers["Location"] == target
    assert "Your password is changed." in user.get(target).get_data(as_text=True)
    assert elsewhere.get("/account").status_code == 303   # signed out there
    with app.app_context():
        assert verify_secret(account_of(app, user.username).password_hash, NEW)
    again = PatientUser(app.test_client(), user.username, user.email, user.request_id)
    assert again.sign_in(password=PASSWORD).status_code == 401
    assert again.sign_in(password=NEW).status_code == 303
    notices = [m for m in deliver(app, smtp, user.email)
               if "password" in m.message["Subject"].lower()]
    assert len(notices) == 1 and NEW not in notices[0].part("plain")


def test_change_security_questions(app, approved):
    user = approved()
    before = answers_of(app, user.username)
    page = user.get("/account/questions").get_data(as_text=True)
    assert '<option selected value="first_school">' in page   # the saved questions
    keep = {f"question_{i}": a.question for i, a in enumerate(before, 1)}

    resp = user.post("/account/questions", {**keep, "question_2": "first_school",
                                            "current": PASSWORD})
    assert resp.status_code == 422
    assert "Choose a different question for each answer." in resp.get_data(as_text=True)
    resp = user.post("/account/questions", {**keep, "question_1": "oldest_cousin",
                                            "current": PASSWORD})
    assert resp.status_code == 422 and "Enter an answer." in resp.get_data(as_text=True)
    resp = user.post("/account/questions", {**keep, "question_1": "oldest_cousin",
                                            "answer_1": "Rosalind", "current": "nope"})
    assert resp.status_code == 422
    assert "That is not your current password." in resp.get_data(as_text=True)
    assert "Rosalind" not in resp.get_data(as_text=True)   # an answer is never shown back

    resp = user.post("/account/questions", {**keep, "question_1": "oldest_cousin",
                                            "answer_1": "Rosalind", "current": PASSWORD})
    assert resp.status_code == 303 and resp.headers["Location"] == "/account?done=questions"
    after = answers_of(app, user.username)
    assert [a.question for a in after] == ["oldest_cousin"] + [a.question for a in before[1:]]
    with app.app_context():
        assert verify_secret(after[0].answer_hash, normalise_answer("rosalind"))
    assert [a.answer_hash for a in after[1:]] == [a.answer_hash for a in before[1:]]


def test_pending_patients_cannot_change_anything_yet(patient):
    user = patient()
    for path in ("/account/password", "/account/questions"):
        resp = user.post(path, {"current": PASSWORD, "password": NEW, "confirm": NEW})
        assert resp.status_code == 303 and resp.headers["Location"] == "/status"
