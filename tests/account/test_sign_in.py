"""Patient sign-in: where each kind of account lands, one answer for every failure,
server-side sessions (renewed, idle, ended), the per-account lock and the per-address
limit."""
import re
from datetime import timedelta

import sqlalchemy as sa

from auth.sessions import AuthSession, utcnow
from database import write_transaction
from enrollment.models import EnrollmentRequest, PatientAccount
from extensions import db
from tests.account.conftest import PASSWORD, PatientUser, account_of, approve

FAILED = "The username or password is not right."
LOCKED = "This account is locked after too many failed sign-ins."


def masked(html: str) -> str:
    return re.sub(r'(name="csrf_token" value=")[^"]+', r"\1…", html)


def open_sessions(app, account_id: int) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(AuthSession).where(
            AuthSession.kind == "patient", AuthSession.user_id == account_id,
            AuthSession.ended_at.is_(None))).scalar_one()


def test_pending_patient_lands_on_the_status_page(patient):
    user = patient(sign_in=False)
    resp = user.sign_in()
    assert resp.status_code == 303 and resp.headers["Location"] == "/status"
    page = user.get("/status").get_data(as_text=True)
    assert "Pending approval" in page and "Riverside" in page
    assert "is confirmed" in page   # the fixture confirmed the address
    assert user.get("/account").headers["Location"] == "/status"
    assert user.get("/account/password").headers["Location"] == "/status"


def test_approved_patient_lands_on_the_account_page(app, patient, make_staff):
    user = patient(sign_in=False)
    approve(app, make_staff, user.request_id)
    resp = user.sign_in(username=user.username.upper())   # any case
    assert resp.status_code == 303 and resp.headers["Location"] == "/account"
    page = user.get("/account").get_data(as_text=True)
    assert "Maria Delgado" in page and "Riverside" in page and "Approved" in page
    assert user.get("/status").headers["Location"] == "/account"
    for path in ("/account/password", "/account/questions"):
        assert user.get(path).status_code == 200


def test_sign_in_with_htmx_leaves_the_page(patient):
    user = patient(sign_in=False)
    user.get("/login")
    resp = user.post("/login", {"username": user.username, "password": PASSWORD}, htmx=True)
    assert resp.status_code == 204 and resp.headers["HX-Redirect"] == "/status"


def test_wrong_password_unknown_username_and_rejected_request_read_the_same(
        app, patient, make_staff, client):
    known = patient(0, sign_in=False)
    rejected = patient(1, sign_in=False)
    staff = make_staff()
    staff.get(f"/admin/requests/{rejected.request_id}")
    assert staff.post(f"/admin/requests/{rejected.request_id}/reject",
                      {"reason": "not_a_patient"}).status_code in (200, 303)
    assert account_of(app, rejected.username) is None   # the account went with it

    answers = []
    for username, password in ((known.username, "not the password at all"),
                               ("nobody-by-this-name", PASSWORD),
                               (rejected.username, PASSWORD)):
        user = PatientUser(app.test_client(), username, "", 0)
        resp = user.sign_in(password=password)
        answers.append((resp.status_code, masked(resp.get_data(as_text=True))))
    assert answers[0][0] == 401 and FAILED in answers[0][1]
    assert answers[0] == answers[1] == answers[2]
    assert known.username not in answers[0][1]   # the form does not echo it


def test_empty_form_is_a_422_with_an_error_summary(patient, client):
    user = PatientUser(client, "", "", 0)
    user.get("/login")
    resp = user.post("/login", {"username": "", "password": ""})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="error-summary"' in page
    assert "Enter your username." in page and "Enter your password." in page


def test_sign_in_renews_the_session_and_sign_out_ends_it(app, patient):
    user = patient(sign_in=False)
    user.get("/login")
    before = user.client.get_cookie("portal_session").value
    assert user.sign_in().status_code == 303
    after = user.client.get_cookie("portal_session").value
    assert before != after
    account = account_of(app, user.username)
    assert open_sessions(app, account.id) == 1

    copied = app.test_client()
    copied.set_cookie("portal_session", after)
    assert copied.get("/status").status_code == 200
    assert user.post("/logout").status_code == 303
    assert open_sessions(app, account.id) == 0
    resp = copied.get("/status")   # the copied cookie is worthless now
    assert resp.status_code == 303 and resp.headers["Location"].startswith("/login")


def test_idle_timeout_signs_out_with_a_warning_first(app, patient):
    assert app.config["PATIENT_IDLE_MINUTES"] == 30
    user = patient()
    page = user.get("/status").get_data(as_text=True)
    assert 'data-idle-seconds="1800"' in page and 'data-keepalive="/session"' in page
    assert "Stay signed in" in page
    assert user.post("/session").status_code == 204   # "Stay signed in"

    account = account_of(app, user.username)
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(AuthSession).where(AuthSession.user_id == account.id)
                           .values(last_seen_at=utcnow() - timedelta(minutes=31)))
    resp = user.get("/status")
    assert resp.status_code == 303 and resp.headers["Location"] == "/login?expired=1"
    assert "your session ended" in user.get("/login?expired=1").get_data(as_text=True)
    assert user.get("/status", htmx=True).headers["HX-Redirect"] == "/login?expired=1"


def test_staff_and_patient_sessions_do_not_cross(app, patient, make_staff):
    staff = make_staff()
    assert staff.get("/status").headers["Location"].startswith("/login")
    user = patient()
    assert user.get("/admin/").headers["Location"].startswith("/admin/login")


def test_failures_are_counted_per_account_across_servers_then_lock(app, patient, monkeypatch,
                                                                   clock):
    """Two clients stand for two app servers: the count lives in the database.  At
    PATIENT_MAX_FAILED_LOGINS (NIST SP 800-63B 5.2.2) the password stops working until
    it is set again; the waits before it are tests/auth/test_throttle.py's."""
    user = patient(sign_in=False)
    with monkeypatch.context() as patch:
        patch.setitem(app.config, "PATIENT_LOGIN_LIMIT", "1000 per minute")
        for n in range(4):
            other = PatientUser(app.test_client(), user.username, "", 0)
            assert other.sign_in(password=f"wrong {n}").status_code == 401
        assert account_of(app, user.username).failed_logins == 4
        assert user.sign_in().status_code == 303     # success starts the count again
        assert account_of(app, user.username).failed_logins == 0

        with app.app_context(), write_transaction():
            db.session.execute(sa.update(PatientAccount).where(
                PatientAccount.username == user.username).values(failed_logins=99))
        stranger = PatientUser(app.test_client(), user.username, "", 0)
        resp = stranger.sign_in(password="wrong again")   # the 100th
        assert resp.status_code == 401 and FAILED in resp.get_data(as_text=True)
        clock.advance(15 * 60)   # past its wait
        resp = stranger.sign_in()   # even the right password: locked
        assert resp.status_code == 401 and LOCKED in resp.get_data(as_text=True)
        assert "Reset your password by email" in resp.get_data(as_text=True)
        assert account_of(app, user.username).failed_logins == 100   # not counted

    from account.patients import set_password
    with app.test_request_context():
        set_password(account_of(app, user.username), "a brand new sentence 77")
    assert PatientUser(app.test_client(), user.username, "", 0).sign_in(
        password="a brand new sentence 77").status_code == 303


def test_failed_sign_ins_are_limited_per_address(app, patient, monkeypatch):
    user = patient(sign_in=False)
    monkeypatch.setitem(app.config, "PATIENT_LOGIN_LIMIT", "3 per minute")
    assert user.sign_in().status_code == 303   # successes are not counted
    user.post("/logout")
    for _ in range(3):
        assert user.sign_in(password="wrong").status_code == 401
    resp = user.sign_in()
    assert resp.status_code == 429
    assert "Too many tries" in resp.get_data(as_text=True)
    other = PatientUser(app.test_client(), user.username, "", 0)
    other_resp = other.client.post("/login", data={}, environ_base={
        "REMOTE_ADDR": "192.0.2.9"})
    assert other_resp.status_code != 429   # another address is not limited


def test_sign_in_is_linked_where_it_belongs(client, patient):
    assert 'href="/login"' in client.get("/").get_data(as_text=True)
    user = patient(sign_in=False)
    assert 'href="/login"' in user.client.get("/enroll/done").get_data(as_text=True)


def test_status_page_resends_the_confirmation_link(app, patient, smtp):
    from tests.account.conftest import deliver
    user = patient(confirmed=False)
    deliver(app, smtp, user.email)   # the "request received" email of submission
    page = user.get("/status").get_data(as_text=True)
    assert "is not confirmed yet" in page and "Send a new link" in page
    assert "p…@example.org" in page   # masked
    again = user.post("/status/new-link")   # within a minute of the first link
    assert again.status_code == 429 and "Wait a minute" in again.get_data(as_text=True)
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(EnrollmentRequest).where(
            EnrollmentRequest.id == user.request_id).values(
            confirmation_sent_at=utcnow() - timedelta(minutes=2)))
    resp = user.post("/status/new-link", htmx=True)
    assert resp.status_code == 200 and "A new link is on its way" in resp.get_data(as_text=True)
    [message] = deliver(app, smtp, user.email)[1:]
    assert "/enroll/confirm/" in message.part("plain")
