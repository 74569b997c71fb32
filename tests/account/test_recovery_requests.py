"""Asking for recovery: the neutral answers of "forgot password" and "forgot
username", bad input, CSRF, the limits per identifier and per address, and nothing
secret in a log line."""
import hashlib
import logging

import pytest

from tests.account.conftest import PASSWORD, account_of, deliver
from tests.account.recovery_helpers import (
    ANSWERS, FORBIDDEN_IN_EMAIL, NEW_PASSWORD, answer, ask_link, from_address, link_of,
    mail, masked, open_link, token_row, visitor)
from tests.account.recovery_helpers import requests_of
from tests.admin.conftest import confirm_email
from tests.outbox.conftest import enroll


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
    for req in requests_of(app, "patient0@example.org"):
        confirm_email(app, req.id)   # usernames go to confirmed addresses only
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
def low_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "PATIENT_RECOVERY_LIMIT", "2 per hour")


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
