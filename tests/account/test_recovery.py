"""Recovery: forgot password (a link by email, two security questions, a new password)
and forgot username.  Patients enroll through the real wizard; emails go through the
outbox to a real SMTP server on loopback; time is moved in the database."""
import hashlib
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from account.models import RecoveryToken
from database import write_transaction
from enrollment.codes import SECURITY_QUESTIONS
from enrollment.models import PatientAccount, utcnow
from extensions import db
from tests.account.conftest import PASSWORD, PatientUser, account_of, approve, deliver
from tests.outbox.conftest import enroll
from tests.wizard import GOOD

LINK = re.compile(r"http://localhost(/recover/([A-Za-z0-9_-]+))")
NEW_PASSWORD = "amber meadow teapot 77"
ANSWERS = {GOOD["security"][f"question_{i}"]: GOOD["security"][f"answer_{i}"]
           for i in range(1, 6)}
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')
# Never in an email: answers, the password, the date of birth, the rest of the request.
FORBIDDEN_IN_EMAIL = [*ANSWERS.values(), PASSWORD, "1984", "Delgado", "Elm Street", "0199"]


def masked(html: str) -> str:
    return CSRF_VALUE.sub(r"\1-\2", html)


def visitor(app) -> PatientUser:
    return PatientUser(app.test_client(), "", "", 0)


def from_address(n: int) -> dict:
    return {"environ_base": {"REMOTE_ADDR": f"10.0.0.{n}"}}


def ask_link(app, smtp, identifier: str, to: str, htmx=False):
    """Forgot password for `identifier`; the delivered message to `to` and its path."""
    person = visitor(app)
    person.get("/forgot-password")
    resp = person.post("/forgot-password", {"identifier": identifier}, htmx=htmx)
    assert resp.status_code == 200
    messages = mail(app, smtp, to, "new password")
    assert messages, f"nothing delivered to {to}"
    return messages[-1], link_of(messages[-1])


def mail(app, smtp, to: str, subject: str) -> list:
    """Delivered messages to `to` whose subject holds `subject` (the wizard's own
    confirmation emails go to the same addresses)."""
    return [m for m in deliver(app, smtp, to) if subject in m.message["Subject"]]


def link_of(message) -> str:
    found = LINK.search(message.part("plain"))
    assert found and found.group(0) in message.part("html")
    return found.group(1)


def asked_questions(app, html: str) -> list:
    """The questions' codes, read back from the labels of the page."""
    labels = re.findall(r'<label for="answer_[12]">([^<]+)</label>', html)
    with app.test_request_context():
        codes = {str(escape(str(v))): k for k, v in SECURITY_QUESTIONS.items()}
    return [codes[label.strip()] for label in labels]


def token_row(app, path: str) -> RecoveryToken:
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        return db.session.execute(sa.select(RecoveryToken).where(
            RecoveryToken.token_hash == hashlib.sha256(token.encode()).hexdigest())
            .execution_options(populate_existing=True)).scalar()


def answer(person, path, questions, right=True, password=NEW_PASSWORD, htmx=False,
           confirm=None):
    given = {f"answer_{i}": (f"  {ANSWERS[q].upper()} " if right else "wrong answer")
             for i, q in enumerate(questions, 1)}
    return person.post(path, {**given, "password": password,
                              "confirm": password if confirm is None else confirm},
                       htmx=htmx)


def open_link(app, path, htmx=False):
    person = visitor(app)
    page = person.get(path, htmx=htmx)
    return person, page, asked_questions(app, page.get_data(as_text=True))


def set_locked_until(app, username, when):
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(PatientAccount).where(
            PatientAccount.username == username).values(recovery_locked_until=when))


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
    person = visitor(app)
    person.get("/forgot-password")
    assert person.post("/forgot-password",
                       {"identifier": "  Patient0@EXAMPLE.org "}).status_code == 200
    messages = mail(app, smtp, "patient0@example.org", "new password")
    assert len(messages) == 2
    names = sorted(re.search(r"account (outbox-user\d)", m.part("plain")).group(1)
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
    expected = (f"Recovery is locked for 20 minutes after 3 wrong answers. Try again after "
                f"{until:%H:%M} UTC or call your practice at (")
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


# -- the neutral answers ---------------------------------------------------------------

@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_forgot_password_answers_the_same_for_known_and_unknown(app, smtp, patient, htmx):
    user = patient(sign_in=False)
    pages = []
    for identifier in [user.username, "nobody-here", user.email, "nobody@example.org"]:
        person = visitor(app)
        person.get("/forgot-password")
        resp = person.post("/forgot-password", {"identifier": identifier}, htmx=htmx)
        body = resp.get_data(as_text=True)
        assert identifier not in body
        pages.append((resp.status_code, masked(body)))
    assert all(p == pages[0] for p in pages) and pages[0][0] == 200
    assert "If an account matches" in pages[0][1]
    assert len(mail(app, smtp, user.email, "new password")) == 2
    assert deliver(app, smtp, "nobody@example.org") == []


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_forgot_username_lists_every_username_and_answers_the_same(
        app, smtp, practices, htmx):
    enroll(app, practices["riverside-family"], 0)
    enroll(app, practices["riverside-family"], 1, personal={"email": "patient0@example.org"})
    pages = []
    for address in ["PATIENT0@example.org", "nobody@example.org"]:
        person = visitor(app)
        person.get("/forgot-username")
        resp = person.post("/forgot-username", {"email": address}, htmx=htmx)
        assert address not in resp.get_data(as_text=True)
        pages.append((resp.status_code, masked(resp.get_data(as_text=True))))
    assert pages[0] == pages[1] and pages[0][0] == 200
    messages = mail(app, smtp, "patient0@example.org", "username")
    assert len(messages) == 1
    text = messages[0].part("plain")
    assert "outbox-user0" in text and "outbox-user1" in text and "/login" in text
    for secret in FORBIDDEN_IN_EMAIL:
        assert secret not in text and secret not in messages[0].part("html")
    assert deliver(app, smtp, "nobody@example.org") == []


def test_forgot_forms_show_errors_without_echoing(app, practices):
    person = visitor(app)
    person.get("/forgot-password")
    resp = person.post("/forgot-password", {"identifier": "   "})
    assert resp.status_code == 422 and "Enter your username or your email address." in \
        resp.get_data(as_text=True)
    person.get("/forgot-username")
    resp = person.post("/forgot-username", {"email": ""}, htmx=True)
    assert resp.status_code == 422 and "Enter your email address." in resp.get_data(as_text=True)


@pytest.mark.parametrize("junk", ["x" * 5000, "a\x00b"])
def test_junk_input_is_a_4xx(app, smtp, patient, junk):
    user = patient(sign_in=False)
    person = visitor(app)
    person.get("/forgot-password")
    assert person.post("/forgot-password", {"identifier": junk}).status_code == 422
    assert person.post("/forgot-username", {"email": junk}).status_code == 422
    _, path = ask_link(app, smtp, user.username, user.email)
    resp = person.post(path, {"answer_1": junk, "answer_2": junk, "password": junk,
                              "confirm": junk})
    assert resp.status_code == 422
    assert account_of(app, user.username).recovery_failures == 0


def test_csrf_stays_on(app, smtp, patient):
    user = patient(sign_in=False)
    person = visitor(app)
    assert person.post("/forgot-password", {"identifier": user.username},
                       token=False).status_code == 400
    assert person.post("/forgot-username", {"email": user.email}, token=False).status_code == 400
    assert mail(app, smtp, user.email, "new password") == []
    _, path = ask_link(app, smtp, user.username, user.email)
    _, _, questions = open_link(app, path)
    given = {f"answer_{i}": ANSWERS[q] for i, q in enumerate(questions, 1)}
    resp = visitor(app).post(path, {**given, "password": NEW_PASSWORD,
                                    "confirm": NEW_PASSWORD}, token=False)
    assert resp.status_code == 400
    assert token_row(app, path).used_at is None and user.sign_in().status_code == 303


# -- throttling and logs ---------------------------------------------------------------

@pytest.fixture
def low_limit(app):
    app.config["PATIENT_RECOVERY_LIMIT"] = "2 per hour"
    yield
    app.config["PATIENT_RECOVERY_LIMIT"] = "10 per hour"


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_recovery_posts_are_limited_per_identifier_with_a_clear_page(
        app, smtp, patient, low_limit, htmx):
    """Per identifier typed (or link), whatever the client's address."""
    user = patient(sign_in=False)
    person = visitor(app)
    person.get("/forgot-password")
    codes = [person.post("/forgot-password", {"identifier": user.username}, htmx=htmx,
                         **from_address(n)).status_code for n in range(3)]
    assert codes == [200, 200, 429]
    limited = person.post("/forgot-password", {"identifier": user.username.upper()},
                          htmx=htmx, **from_address(9))
    body = limited.get_data(as_text=True)
    assert limited.status_code == 429 and "Too many tries for now" in body
    assert "Traceback" not in body and ("<html" in body) != htmx
    assert person.post("/forgot-password", {"identifier": "someone-else"},
                       **from_address(8)).status_code == 200
    codes = [person.post("/forgot-username", {"email": user.email},
                         **from_address(n)).status_code for n in range(3)]
    assert codes == [200, 200, 429]
    path = link_of(mail(app, smtp, user.email, "new password")[-1])
    codes = [person.post(path, {"password": "x"}, **from_address(n)).status_code
             for n in range(3)]
    assert codes == [422, 422, 429]
    assert account_of(app, user.username).recovery_failures == 0


def test_recovery_posts_are_limited_per_client_address(app, practices, low_limit):
    person = visitor(app)
    person.get("/forgot-password")
    codes = [person.post("/forgot-password", {"identifier": f"someone-{n}"}).status_code
             for n in range(3)]
    assert codes == [200, 200, 429]
    assert person.post("/forgot-password", {"identifier": "someone-9"},
                       **from_address(7)).status_code == 200
    codes = [person.post("/forgot-username", {"email": f"p{n}@example.org"}).status_code
             for n in range(3)]
    assert codes == [200, 200, 429]


def test_no_token_answer_or_password_reaches_a_log_line(app, smtp, patient, caplog,
                                                        low_limit):
    caplog.set_level(logging.DEBUG)
    user = patient(sign_in=False)
    _, path = ask_link(app, smtp, user.username, user.email)
    token = path.rsplit("/", 1)[1]
    person, _, questions = open_link(app, path)
    answer(person, path, questions, right=False)
    assert answer(person, path, questions).status_code == 303
    answer(person, path, questions)                                   # 429 (logged)
    deliver(app, smtp, user.email)
    # aiosmtpd ("mail.log") is the test's receiving mail server: it logs what it is
    # sent, the email holding the link; every logger of the app itself is checked.
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
    assert any(r.name == "flask-limiter" for r in ours)
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in ours)
    for secret in [token, hashlib.sha256(token.encode()).hexdigest(), NEW_PASSWORD,
                   PASSWORD] + list(ANSWERS.values()) + [a.upper() for a in ANSWERS.values()]:
        assert secret not in logged
