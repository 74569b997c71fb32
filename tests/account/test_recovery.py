"""Recovery by email: the link (once, hashed, expiring, the same two questions), the
new password, and the lock after three wrong answers that ends with time.  Patients
enroll through the real wizard; emails go through the outbox to a real SMTP server on
loopback; time is moved in the database."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from account.models import RecoveryToken
from auth.clock import format_when
from database import write_transaction
from enrollment.models import Practice, utcnow
from extensions import db
from tests.account.conftest import account_of, approve
from tests.account.recovery_helpers import (
    ANSWERS, FORBIDDEN_IN_EMAIL, LINK, NEW_PASSWORD, answer, ask_link, link_of, mail,
    open_link, requests_of, set_locked_until, token_row, visitor)
from tests.admin.conftest import confirm_email
from tests.outbox.conftest import enroll
from tests.wizard import GOOD


# -- forgot password: the whole flow ---------------------------------------------------

@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_a_link_resets_the_password_once_and_signs_the_patient_out_everywhere(
        app, smtp, patient, htmx):
    user = patient()                                  # signed in on their own browser
    assert user.get("/status").status_code == 200
    message, path = ask_link(app, smtp, user.username.upper(), user.email, htmx=htmx)
    text, html = message.part("plain"), message.part("html")
    assert GOOD["personal"]["first_name"] in text and user.username in text
    assert "Riverside" in text and message.message["Reply-To"]
    for secret in FORBIDDEN_IN_EMAIL:
        assert secret not in text and secret not in html

    person, page, questions = open_link(app, path, htmx=htmx)
    assert page.status_code == 200 and len(questions) == 2
    assert set(questions) <= set(ANSWERS)
    if htmx:
        assert "<html" not in page.get_data(as_text=True)
    assert token_row(app, path).used_at is None       # opening changed nothing
    assert user.get("/status").status_code == 200

    resp = answer(person, path, questions, htmx=htmx)
    if htmx:
        assert resp.status_code == 200 and resp.headers["HX-Push-Url"] == "/recover/done"
        assert "Your password is changed" in resp.get_data(as_text=True)
    else:
        assert resp.status_code == 303 and resp.headers["Location"] == "/recover/done"
        assert "Your password is changed" in person.get("/recover/done").get_data(as_text=True)
    assert token_row(app, path).used_at is not None
    assert user.get("/status").status_code in (302, 303, 401)   # signed out
    assert user.sign_in().status_code == 401                      # old password
    assert user.sign_in(NEW_PASSWORD).status_code == 303

    notice, = mail(app, smtp, user.email, "password was changed")
    assert not LINK.search(notice.part("plain")) and "/login" in notice.part("plain")
    for secret in FORBIDDEN_IN_EMAIL + [NEW_PASSWORD]:
        assert secret not in notice.part("plain") and secret not in notice.part("html")

    again = answer(visitor(app), path, questions, password="yet another phrase 12")
    assert again.status_code == 410 and "Ask for a new link" in again.get_data(as_text=True)
    assert visitor(app).get(path).status_code == 410


def test_the_link_asks_the_same_two_questions_on_every_reload(app, smtp, patient):
    user = patient(sign_in=False)
    _, path = ask_link(app, smtp, user.username, user.email)
    _, _, first = open_link(app, path)
    for _ in range(4):
        assert open_link(app, path)[2] == first
    assert token_row(app, path).questions == first


def test_the_token_is_stored_hashed_and_expires_after_the_configured_time(
        app, smtp, patient):
    user = patient(sign_in=False)
    _, path = ask_link(app, smtp, user.username, user.email)
    row = token_row(app, path)
    assert row is not None and row.token_hash != path.rsplit("/", 1)[1]
    assert row.expires_at - row.created_at == timedelta(minutes=60)
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(RecoveryToken).values(
            expires_at=utcnow() - timedelta(seconds=1)))
    person, page, _ = open_link(app, path)
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    resp = answer(person, path, list(row.questions))
    assert resp.status_code == 410 and "Ask for a new link" in resp.get_data(as_text=True)
    assert user.sign_in().status_code == 303                      # password unchanged


def test_a_new_link_replaces_the_unused_one(app, smtp, patient):
    user = patient(sign_in=False)
    _, first = ask_link(app, smtp, user.username, user.email)
    _, second = ask_link(app, smtp, user.email, user.email)
    assert first != second
    assert visitor(app).get(first).status_code == 404
    assert open_link(app, second)[1].status_code == 200
    with app.app_context():
        assert len(db.session.execute(sa.select(RecoveryToken)).all()) == 1


@pytest.mark.parametrize("path", ["/recover/" + "A" * 43, "/recover/short",
                                  "/recover/bad%00token-bad-token-bad-token"])
def test_unknown_or_malformed_links_are_404_with_a_way_forward(app, practices, path):
    person = visitor(app)
    page = person.get(path)
    assert page.status_code == 404 and "Ask for a new link" in page.get_data(as_text=True)
    resp = person.post(path, {"answer_1": "x", "answer_2": "y"})
    assert resp.status_code == 404


def test_an_address_with_several_accounts_gets_a_link_for_each(app, smtp, practices):
    enroll(app, practices["riverside-family"], 0)
    enroll(app, practices["riverside-family"], 1,
           personal={"email": "patient0@example.org"})
    for req in requests_of(app, "patient0@example.org"):
        confirm_email(app, req.id)   # links go to confirmed addresses only
    person = visitor(app)
    person.get("/forgot-password")
    assert person.post("/forgot-password",
                       {"identifier": "  Patient0@EXAMPLE.org "}).status_code == 200
    messages = mail(app, smtp, "patient0@example.org", "new password")
    assert len(messages) == 2
    names = sorted(re.search(r"Username: (outbox-user\d)", m.part("plain")).group(1)
                   for m in messages)
    assert names == ["outbox-user0", "outbox-user1"]
    assert len({link_of(m) for m in messages}) == 2


# -- wrong answers and the lock --------------------------------------------------------

def test_three_wrong_answers_lock_recovery_until_the_time_passes(app, smtp, patient):
    user = patient(sign_in=False)
    _, path = ask_link(app, smtp, user.username, user.email)
    person, _, questions = open_link(app, path)
    first = answer(person, path, questions, right=False)
    body = first.get_data(as_text=True)
    assert first.status_code == 422 and "The answers are not right" in body
    assert "2 more times" in body and "locked" not in body.split("<h1")[1][:80]
    assert account_of(app, user.username).recovery_failures == 1
    second = answer(person, path, questions, right=False)
    assert second.status_code == 422 and "1 more time before" in second.get_data(as_text=True)
    third = answer(person, path, questions, right=False)
    page = third.get_data(as_text=True)
    assert third.status_code == 423 and "not right" not in page
    account = account_of(app, user.username)
    until = account.recovery_locked_until
    assert until is not None and account.recovery_failures == 0
    with app.app_context():   # the lock's end in the practice's zone, as people read it
        zone = db.session.get(Practice, account.practice_id).timezone
    shown = format_when(until, zone, "en", ("medium", "short"))
    expected = (f"Recovery is locked for 20 minutes after 3 wrong answers. Try again after "
                f"{shown} or call your practice at (")
    assert shown.time in page and shown.zone.isalpha()
    assert expected in page

    # Locked: the right answers do nothing, the page says so (GET and POST).
    assert visitor(app).get(path).status_code == 423
    locked = answer(person, path, questions)
    assert locked.status_code == 423 and "Recovery is locked" in locked.get_data(as_text=True)
    assert user.sign_in().status_code == 303                      # password unchanged
    assert token_row(app, path).used_at is None

    # The lock ends by time.
    set_locked_until(app, user.username, utcnow() - timedelta(seconds=1))
    person, page, again = open_link(app, path)
    assert page.status_code == 200 and again == questions
    assert answer(person, path, questions).status_code == 303
    account = account_of(app, user.username)
    assert account.recovery_failures == 0 and account.recovery_locked_until is None


def test_a_wrong_answer_counts_on_the_account_not_on_the_link(app, smtp, patient):
    user = patient(sign_in=False)
    _, path = ask_link(app, smtp, user.username, user.email)
    person, _, questions = open_link(app, path)
    answer(person, path, questions, right=False)
    answer(person, path, questions, right=False)
    _, path2 = ask_link(app, smtp, user.username, user.email)       # a new link
    person, _, questions2 = open_link(app, path2)
    assert answer(person, path2, questions2, right=False).status_code == 423


def test_one_wrong_answer_of_two_is_wrong(app, smtp, patient):
    user = patient(sign_in=False)
    _, path = ask_link(app, smtp, user.username, user.email)
    person, _, questions = open_link(app, path)
    resp = person.post(path, {"answer_1": ANSWERS[questions[0]], "answer_2": "nope",
                              "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert resp.status_code == 422
    assert user.sign_in().status_code == 303


def test_right_answers_and_a_weak_password_keep_the_link_and_count_nothing(
        app, smtp, patient, make_staff):
    user = patient(sign_in=False)
    approve(app, make_staff, user.request_id)                     # an approved patient
    _, path = ask_link(app, smtp, user.username, user.email)
    person, _, questions = open_link(app, path)
    resp = answer(person, path, questions, password="short")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "type them again" in body
    assert ANSWERS[questions[0]] not in body and ANSWERS[questions[0]].upper() not in body
    mismatch = answer(person, path, questions, confirm="something else entirely 9")
    assert mismatch.status_code == 422
    missing = person.post(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert missing.status_code == 422 and "Answer the first question." in \
        missing.get_data(as_text=True)
    assert account_of(app, user.username).recovery_failures == 0
    assert token_row(app, path).used_at is None
    assert answer(person, path, questions).status_code == 303
    resp = user.sign_in(NEW_PASSWORD)
    assert resp.status_code == 303 and resp.headers["Location"] == "/account"
