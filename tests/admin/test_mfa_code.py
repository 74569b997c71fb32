"""The code step: a code of the current 30-second step or one either side is accepted,
two steps off is not; a code of a step already accepted is refused (no replay); wrong
codes count as failed sign-ins (the password's counter and lock) and against
STAFF_MFA_LIMIT per address; and half signed in reaches no dashboard page, expires after
ten minutes and dies with a changed password."""
import time
from datetime import timezone

import pytest
import sqlalchemy as sa

from admin.staff.models import StaffUser
from auth import otp
from auth.clock import utcnow
from auth.login import PENDING_KEY
from database import write_transaction
from extensions import db
from tests.admin.appointment_helpers import add_appointment
from tests.admin.conftest import CODE, Staff
from tests.browser import HX
from tests.admin.mfa_helpers import secret_of, staff_row
from tests.admin.test_access import (LINKS, PUBLIC, SECOND_FACTOR, SIGNED_OUT_POST,
                                     _calls)
from tests.conftest import csrf_token


def steady() -> int:
    """The current step, with at least 5 seconds of it left (so the server, a moment
    later, is still in it)."""
    left = otp.STEP_SECONDS - time.time() % otp.STEP_SECONDS
    if left < 5:
        time.sleep(left + 0.05)
    return otp.current_step()


@pytest.fixture
def enrolled(make_staff) -> Staff:
    """Enrolled through the pages, signed out again, and half signed in (password)."""
    staff = make_staff()
    staff.post("/admin/logout")
    assert staff.sign_in_password().headers["Location"] == CODE
    staff.get(CODE)
    return staff


def _forget_last_step(app, email):
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(StaffUser).where(StaffUser.email == email)
                           .values(totp_last_step=None))


def _post_code(staff, code, htmx=False):
    return staff.post(CODE, {"code": code}, htmx=htmx)


@pytest.mark.parametrize("offset,accepted", [(0, True), (-1, True), (1, True),
                                             (-2, False), (2, False)])
def test_one_step_of_clock_drift_either_way(app, enrolled, offset, accepted):
    _forget_last_step(app, enrolled.email)
    secret = secret_of(app, enrolled.email)
    code = otp.code_at(secret, steady() + offset)
    resp = _post_code(enrolled, code)
    if accepted:
        assert resp.status_code == 303 and resp.headers["Location"] == "/admin/"
        assert enrolled.get("/admin/").status_code == 200
    else:
        assert resp.status_code == 422
        assert "That code is not right." in resp.get_data(as_text=True)
        assert enrolled.get("/admin/").status_code == 303


@pytest.mark.parametrize("htmx", [False, True])
def test_a_used_code_cannot_be_used_again(app, enrolled, htmx):
    _forget_last_step(app, enrolled.email)
    secret = secret_of(app, enrolled.email)
    here = steady()
    assert _post_code(enrolled, otp.code_at(secret, here), htmx).status_code in (204, 303)
    assert staff_row(app, enrolled.email).totp_last_step == here
    # Someone who saw it (over a shoulder, in a log) tries it in another browser.
    thief = Staff(app.test_client(), enrolled.email)
    thief.sign_in_password()
    thief.get(CODE)
    for step in (here, here - 1):          # that step, and an earlier one in the window
        resp = _post_code(thief, otp.code_at(secret, step), htmx)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422 and "already been used" in html
        assert ("<html" in html) is not htmx
    assert thief.get("/admin/").status_code == 303
    assert staff_row(app, enrolled.email).failed_logins == 2    # replays count too
    resp = _post_code(thief, otp.code_at(secret, here + 1), htmx)   # the next code works
    assert resp.status_code in (204, 303)
    assert thief.get("/admin/").status_code == 200
    assert staff_row(app, enrolled.email).failed_logins == 0


def test_wrong_codes_count_with_wrong_passwords_and_lock(app, enrolled):
    """One counter (auth.credentials): a right password does not clear it, a whole
    sign-in does; at STAFF_MAX_FAILED_LOGINS even the right code is refused."""
    default = app.config["STAFF_MAX_FAILED_LOGINS"]
    app.config["STAFF_MAX_FAILED_LOGINS"] = 3
    try:
        assert _post_code(enrolled, "000000").status_code == 422
        assert staff_row(app, enrolled.email).failed_logins == 1
        assert enrolled.sign_in_password("not the password").status_code == 422
        assert enrolled.sign_in_password().status_code == 303    # right: count stays
        assert staff_row(app, enrolled.email).failed_logins == 2
        enrolled.get(CODE)
        assert _post_code(enrolled, "999999").status_code == 422
        assert staff_row(app, enrolled.email).failed_logins == 3
        _forget_last_step(app, enrolled.email)
        resp = _post_code(enrolled, otp.code_at(secret_of(app, enrolled.email), steady()))
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422 and "locked after too many failed sign-ins" in html
        assert 'name="code"' not in html and "Forgot your password?" in html
        assert enrolled.get("/admin/").status_code == 303
        locked = enrolled.sign_in_password()
        assert locked.status_code == 422 and "locked" in locked.get_data(as_text=True)
    finally:
        app.config["STAFF_MAX_FAILED_LOGINS"] = default


def test_codes_are_rate_limited_per_address(app, enrolled):
    """Failed posts of the code, recovery and enrollment forms share one limit."""
    app.config["STAFF_MFA_LIMIT"] = "3 per 15 minutes"
    try:
        assert _post_code(enrolled, "000000").status_code == 422
        assert enrolled.post("/admin/login/recovery", {"code": "nope"}).status_code == 422
        assert _post_code(enrolled, "000001").status_code == 422
        _forget_last_step(app, enrolled.email)
        right = otp.code_at(secret_of(app, enrolled.email), steady())
        resp = _post_code(enrolled, right)
        assert resp.status_code == 429               # even the right code, for now
        assert enrolled.get("/admin/").status_code == 303
        assert enrolled.get(CODE).status_code == 200          # showing it is not limited
    finally:
        app.config["STAFF_MFA_LIMIT"] = "10 per 15 minutes"


def test_right_codes_do_not_count_against_the_limit(app, make_staff):
    app.config["STAFF_MFA_LIMIT"] = "2 per 15 minutes"
    try:
        staff = make_staff()
        for _ in range(3):
            staff.post("/admin/logout")
            assert staff.sign_in().headers["Location"] == "/admin/"
    finally:
        app.config["STAFF_MFA_LIMIT"] = "10 per 15 minutes"


def _walk_as(app, staff, request_id: int, staff_id: int) -> set:
    """Every admin route (test_access's walk, with the ids of the staff member's own
    practice) as this browser; the endpoints walked.  Nothing may answer but a way to
    sign in, and no patient's name may show."""
    walked = set()
    for endpoint, method, path, data in _calls(app, request_id, staff_id):
        if endpoint in PUBLIC | LINKS | SIGNED_OUT_POST | SECOND_FACTOR:
            continue
        for htmx in (False, True):
            headers = HX if htmx else {}
            if method == "POST":
                data = {**data, "csrf_token": staff.token}
            resp = staff.client.open(path, method=method, data=data, headers=headers)
            where = resp.headers.get("HX-Redirect" if htmx else "Location", "")
            assert resp.status_code == (204 if htmx else 303), (method, path, htmx)
            assert where in ("/admin/login", CODE), (method, path, where)
            assert b"Delgado" not in resp.data
        walked.add(endpoint)
    return walked


@pytest.mark.parametrize("stage", ["code", "enroll"])
def test_half_signed_in_reaches_no_dashboard_page(app, make_staff, patient_request, stage):
    """At the code step, and at enrollment (a new member from an invitation, or after
    a reset), every admin page of their own practice is out of reach."""
    req = patient_request(1)
    add_appointment(app, req.id)
    staff = make_staff("ada@riverside.example", admin=True, sign_in=(stage == "code"))
    if stage == "code":
        staff.post("/admin/logout")
    landing = staff.sign_in_password().headers["Location"]
    assert landing == ("/admin/login/code" if stage == "code" else "/admin/login/enroll")
    staff.get(landing)
    walked = _walk_as(app, staff, req.id, staff_row(app, staff.email).id)
    assert {"admin.queue", "admin.detail", "admin.approve", "admin.staff_page",
            "admin.reset_staff_mfa", "admin.audit_log", "admin.keepalive"} <= walked
    assert staff.get(landing).status_code == 200        # still half signed in
    with staff.client.session_transaction() as session:
        assert "_user_id" not in session and "sid" not in session
    assert staff.sign_in().headers["Location"] == "/admin/"   # and can finish
    assert staff.get("/admin/").status_code == 200


def test_half_signed_in_ends_after_ten_minutes(app, enrolled):
    with enrolled.client.session_transaction() as session:
        marker = session[PENDING_KEY]
        now = int(utcnow().replace(tzinfo=timezone.utc).timestamp())
        assert 9 * 60 < marker["until"] - now <= 10 * 60 + 5
        session[PENDING_KEY] = {**marker, "until": now - 1}    # time moved forward
    _forget_last_step(app, enrolled.email)
    resp = _post_code(enrolled, otp.code_at(secret_of(app, enrolled.email), steady()))
    assert resp.status_code == 303 and resp.headers["Location"] == "/admin/login?expired=1"
    assert enrolled.get("/admin/").status_code == 303
    assert enrolled.get(CODE).headers["Location"] == "/admin/login"    # the marker is gone


def test_a_changed_password_voids_a_half_sign_in(app, enrolled):
    from auth.hashing import hash_secret
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(StaffUser).where(StaffUser.email == enrolled.email)
                           .values(password_hash=hash_secret("another long phrase 77")))
    _forget_last_step(app, enrolled.email)
    resp = _post_code(enrolled, otp.code_at(secret_of(app, enrolled.email), steady()))
    assert resp.status_code == 303 and resp.headers["Location"].startswith("/admin/login")
    assert enrolled.get("/admin/").status_code == 303


def test_the_code_field_and_page(app, enrolled):
    html = enrolled.get(CODE).get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert '<label for="code">Code from your authenticator app</label>' in html
    assert 'data-hx-post="/admin/login/code"' in html
    assert "No phone? Use a recovery code" in html and 'class="admin-nav"' not in html
    token = csrf_token(html)
    assert token == enrolled.token
