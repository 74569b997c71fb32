"""Sign-in and server-side sessions: rotation on sign-in, sign-out, disabling and idle
timeout end a session for real (a copied cookie is worthless after); htmx requests of an
expired session get HX-Redirect; failed sign-ins are rate limited."""
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from auth.sessions import AuthSession, utcnow
from database import write_transaction
from extensions import db
from tests.admin.conftest import PASSWORD, Staff

COOKIE = "portal_session"


def cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def clone(app, staff) -> Staff:
    """Another browser holding a copy of the cookie."""
    thief = Staff(app.test_client(), staff.email)
    thief.client.set_cookie(COOKIE, cookie(staff.client))
    return thief


def open_sessions(app) -> list[AuthSession]:
    with app.app_context():
        return list(db.session.execute(sa.select(AuthSession).where(
            AuthSession.ended_at.is_(None))).scalars())


def test_signed_out_admin_redirects_to_sign_in(client):
    resp = client.get("/admin/")
    assert resp.status_code == 303 and resp.headers["Location"] == "/admin/login"


def test_sign_in_stores_only_a_hash_and_ids_name_the_kind(app, make_staff):
    staff = make_staff()
    (row,) = open_sessions(app)
    assert row.kind == "staff" and len(row.token_hash) == 64
    with staff.client.session_transaction() as session:
        assert session["_user_id"] == f"staff:{row.user_id}"
        assert session["sid"] != row.token_hash
    assert staff.get("/admin/").status_code == 200


def test_sign_in_rotates_the_session(app, make_staff):
    staff = make_staff()
    before = cookie(staff.client)
    with staff.client.session_transaction() as session:
        old_sid = session["sid"]
    staff.sign_in()
    with staff.client.session_transaction() as session:
        assert session["sid"] != old_sid
    assert cookie(staff.client) != before
    assert len(open_sessions(app)) == 1   # the old one ended


def test_a_copied_cookie_is_refused_after_sign_out(app, make_staff):
    staff = make_staff()
    thief = clone(app, staff)
    assert thief.get("/admin/").status_code == 200        # while signed in, it works
    resp = staff.post("/admin/logout")
    assert resp.status_code == 303 and resp.headers["Location"] == "/admin/login"
    assert open_sessions(app) == []
    refused = thief.get("/admin/")
    assert refused.status_code == 303 and refused.headers["Location"].startswith("/admin/login")
    assert staff.get("/admin/").status_code == 303


def test_disabling_a_staff_member_ends_their_sessions(app, runner, make_staff):
    staff = make_staff()
    thief = clone(app, staff)
    result = runner.invoke(args=["staff", "disable", staff.email])
    assert result.exit_code == 0 and "sessions ended" in result.output
    assert open_sessions(app) == []
    for client in (staff, thief):
        assert client.get("/admin/").status_code == 303
    failed = staff.sign_in()
    assert failed.status_code == 422   # a disabled account cannot sign in again


def _idle(app, minutes: float) -> None:
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(AuthSession).values(
            last_seen_at=utcnow() - timedelta(minutes=minutes)))


def test_idle_timeout_ends_the_session(app, make_staff):
    staff = make_staff()
    thief = clone(app, staff)
    _idle(app, 14)
    assert staff.get("/admin/").status_code == 200        # within 15 minutes: renewed
    _idle(app, 15.1)
    resp = staff.get("/admin/")
    assert resp.status_code == 303 and resp.headers["Location"] == "/admin/login?expired=1"
    assert open_sessions(app) == []
    _idle(app, 0)   # even made fresh again, an ended session stays ended
    assert thief.get("/admin/").status_code == 303
    page = staff.get("/admin/login?expired=1").get_data(as_text=True)
    assert "You were signed out" in page


def test_idle_minutes_come_from_the_configuration(app, make_staff, monkeypatch):
    staff = make_staff()
    monkeypatch.setitem(app.config, "STAFF_IDLE_MINUTES", 30)
    _idle(app, 20)
    html = staff.get("/admin/").get_data(as_text=True)
    assert 'data-idle-seconds="1800"' in html


def test_an_expired_htmx_request_gets_a_client_redirect(app, make_staff, patient_request):
    req = patient_request(1)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    _idle(app, 16)
    resp = staff.post(f"/admin/requests/{req.id}/approve", htmx=True)
    assert resp.status_code == 204 and resp.get_data() == b""
    assert resp.headers["HX-Redirect"] == "/admin/login?expired=1"
    anonymous = app.test_client().get("/admin/", headers={"HX-Request": "true"})
    assert anonymous.headers["HX-Redirect"] == "/admin/login"


def test_stay_signed_in_renews_the_session(app, make_staff):
    staff = make_staff()
    _idle(app, 14.5)
    assert staff.post("/admin/session").status_code == 204
    (row,) = open_sessions(app)
    assert row.last_seen_at > utcnow() - timedelta(minutes=1)
    assert staff.post("/admin/session", token=False).status_code == 400   # CSRF


def test_wrong_password_and_unknown_email_answer_alike(app, make_staff):
    staff = make_staff(sign_in=False)
    wrong = staff.sign_in("not the password at all")
    staff.email = "nobody@riverside.example"
    unknown = staff.sign_in()
    assert wrong.status_code == unknown.status_code == 422
    for resp in (wrong, unknown):
        assert "The email address or password is not right." in resp.get_data(as_text=True)
        assert PASSWORD not in resp.get_data(as_text=True)


def test_failed_sign_ins_are_rate_limited(app, make_staff, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_LOGIN_LIMIT", "3 per 15 minutes")
    staff = make_staff(sign_in=False)
    for _ in range(3):
        assert staff.sign_in("wrong wrong wrong").status_code == 422
    assert staff.sign_in().status_code == 429   # even the right password, for now


def test_successful_sign_ins_do_not_count(app, make_staff, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_LOGIN_LIMIT", "2 per 15 minutes")
    staff = make_staff(sign_in=False)
    for _ in range(4):
        assert staff.sign_in().status_code == 303


def test_the_idle_warning_is_our_own_script_and_keyboard_reachable(app, make_staff):
    staff = make_staff()
    html = staff.get("/admin/").get_data(as_text=True)
    assert '<button type="button" class="primary" id="idle-stay">Stay signed in</button>' \
        in html
    assert 'role="alertdialog"' in html and "/static/js/idle." in html
    source = (Path(app.root_path) / "static/js/idle.js").read_text()
    assert 'getElementById("idle-stay").focus()' in source and "X-CSRFToken" in source


def test_old_session_rows_are_purged_by_the_hourly_command(app, runner, make_staff):
    staff = make_staff()
    staff.post("/admin/logout")
    make_staff("ben@riverside.example")
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(AuthSession).where(AuthSession.ended_at.is_not(None))
                           .values(ended_at=utcnow() - timedelta(days=31)))
    result = runner.invoke(args=["purge"])
    assert "sign-in sessions over 30 days old deleted: 1" in result.output
    assert len(open_sessions(app)) == 1


def test_admin_error_pages_lead_back_to_the_dashboard(make_staff):
    staff = make_staff()
    html = staff.get("/admin/requests/999999").get_data(as_text=True)
    assert "Back to the staff dashboard" in html and "Continue your enrollment" not in html


def test_consecutive_failures_lock_the_account_until_its_password_is_reset(
        app, make_staff, smtp, monkeypatch):
    """Counted in the database (two browsers: two servers); a reset link opens it."""
    from admin.staff.models import StaffUser
    from tests.admin.test_staff_onboarding import deliver
    assert app.config["STAFF_MAX_FAILED_LOGINS"] == 100   # NIST SP 800-63B 5.2.2
    monkeypatch.setitem(app.config, "STAFF_LOGIN_LIMIT", "1000 per minute")
    monkeypatch.setitem(app.config, "STAFF_MAX_FAILED_LOGINS", 3)
    staff = make_staff(sign_in=False)
    other = Staff(app.test_client(), staff.email)
    assert staff.sign_in("wrong one").status_code == 422
    assert staff.sign_in().status_code == 303    # success: the count starts again
    staff.post("/admin/logout")
    for browser in (staff, other, staff):
        assert browser.sign_in("wrong again").status_code == 422
    resp = other.sign_in()   # the right password, but locked
    assert resp.status_code == 422
    assert "locked after too many failed sign-ins" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(StaffUser.failed_logins).where(
            StaffUser.email == staff.email)).scalar_one() == 3

    other.get("/admin/forgot")
    other.post("/admin/forgot", {"email": staff.email})
    _, link = deliver(app, smtp, staff.email)
    page = other.get(link)
    assert page.status_code == 200
    new = "a fresh staff sentence 2027"
    assert other.post(link, {"password": new, "confirm": new}).status_code in (200, 303)
    assert other.sign_in(new).status_code == 303
