"""Staff onboarding: invitations, disabling, resetting another's access, and "forgot
your password?".  Emails go through the outbox to a real SMTP server on loopback
(aiosmtpd); links are single use and expire (time is moved in the database)."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from admin.staff.models import StaffToken, StaffUser
from audit import AuditEvent
from auth.sessions import AuthSession
from database import write_transaction
from enrollment.models import utcnow
from extensions import db
from outbox import send_due
from tests.admin.conftest import PASSWORD, Staff

LINK = re.compile(r"http://localhost(/admin/(invite|reset)/([A-Za-z0-9_-]+))")
NEW_PASSWORD = "amber meadow teapot 77"
TOKEN_FIELD = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')


def deliver(app, smtp, to: str):
    """Send what is due; the latest message to `to` and the link path it holds."""
    with app.app_context():
        send_due()
    messages = [m for m in smtp.messages if to in m.rcpt_tos]
    assert messages, f"nothing delivered to {to}"
    message = messages[-1]
    found = LINK.search(message.part("plain"))
    if found:
        assert found.group(0) in message.part("html")
    return message, (found.group(1) if found else None)


def member(app, email: str) -> StaffUser:
    with app.app_context():
        return db.session.execute(sa.select(StaffUser).where(StaffUser.email == email)
                                  .execution_options(populate_existing=True)).scalar_one()


def open_sessions(app, staff_id: int) -> int:
    with app.app_context():
        return len(db.session.execute(sa.select(AuthSession).where(
            AuthSession.kind == "staff", AuthSession.user_id == staff_id,
            AuthSession.ended_at.is_(None))).all())


def audit_actions(app) -> list:
    with app.app_context():
        return [e.action for e in db.session.execute(
            sa.select(AuditEvent).order_by(AuditEvent.id)).scalars()]


def expire_links(app):
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(StaffToken).values(
            expires_at=utcnow() - timedelta(seconds=1)))


def visitor(app) -> Staff:
    return Staff(app.test_client(), "")


def landing(resp, htmx=False) -> str:
    """Where an answer sends the browser (htmx: HX-Redirect; else Location)."""
    return resp.headers["HX-Redirect"] if htmx else resp.headers["Location"]


def use_link(app, path, password=NEW_PASSWORD, confirm=None, htmx=False):
    person = visitor(app)
    person.get("/admin/login")                # a form token, should the link show no form
    page = person.get(path, htmx=htmx)
    resp = person.post(path, {"password": password, "confirm": confirm or password},
                       htmx=htmx)
    return person, page, resp


@pytest.fixture
def admin(make_staff):
    return make_staff("ada@riverside.example", admin=True)


@pytest.mark.parametrize("htmx", [False, True])
def test_an_invitation_is_emailed_and_used_once(app, smtp, practices, admin, htmx):
    resp = admin.post("/admin/staff/invite", {"email": "New.Nurse@Riverside.example",
                                              "role": "staff"}, htmx=htmx)
    assert resp.status_code == (200 if htmx else 303)
    listing = admin.get("/admin/staff").get_data(as_text=True)
    assert "new.nurse@riverside.example" in listing and "Invited" in listing
    message, path = deliver(app, smtp, "new.nurse@riverside.example")
    assert path.startswith("/admin/invite/")
    assert "Riverside Family Medicine" in message.message["Subject"]
    assert message.message["Reply-To"] and PASSWORD not in message.raw.decode()
    # Opening the link changes nothing (mail scanners open links).
    person = visitor(app)
    page = person.get(path, htmx=htmx)
    assert page.status_code == 200 and "Set password and sign in" in page.get_data(as_text=True)
    assert member(app, "new.nurse@riverside.example").active is False
    # A password under the policy is required; the link stays valid meanwhile.
    for bad, confirm in (("password", "password"), ("riverside family medicine 1",) * 2,
                         (NEW_PASSWORD, NEW_PASSWORD + "x")):
        resp = person.post(path, {"password": bad, "confirm": confirm}, htmx=htmx)
        assert resp.status_code == 422, bad
        assert "There is a problem" in resp.get_data(as_text=True)
    resp = person.post(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, htmx=htmx)
    # Joined, but the second factor comes before any page of the dashboard.
    assert resp.status_code == (204 if htmx else 303)
    assert landing(resp, htmx) == "/admin/login/enroll"
    assert person.get("/admin/").status_code == 303           # not signed in yet
    assert person.enroll().headers["Location"] == "/admin/"
    assert person.get("/admin/").status_code == 200           # signed in
    assert member(app, "new.nurse@riverside.example").active is True
    # Used: it says so, on GET and on POST, and changes nothing.
    again = visitor(app)
    again.get("/admin/login")                 # a form token (the used link shows no form)
    assert again.get(path).status_code == 410
    resp = again.post(path, {"password": "another long phrase 99",
                             "confirm": "another long phrase 99"})
    assert resp.status_code == 410 and "already been used" in resp.get_data(as_text=True)
    assert Staff(app.test_client(), "new.nurse@riverside.example").sign_in(
        NEW_PASSWORD).status_code == 303
    assert audit_actions(app)[-2:] == ["staff_invited", "joined"]


def test_an_expired_invitation_says_so_and_joins_no_one(app, smtp, practices, admin):
    admin.post("/admin/staff/invite", {"email": "late@riverside.example", "role": "admin"})
    _, path = deliver(app, smtp, "late@riverside.example")
    expire_links(app)
    person, page, resp = use_link(app, path)
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    assert resp.status_code == 410
    assert member(app, "late@riverside.example").active is False
    assert visitor(app).get("/admin/invite/" + "A" * 43).status_code == 404


def test_an_address_with_an_account_is_not_invited_again(app, practices, admin):
    resp = admin.post("/admin/staff/invite", {"email": "ADA@riverside.example",
                                              "role": "staff"})
    assert resp.status_code == 422
    assert "already has an account" in resp.get_data(as_text=True)
    resp = admin.post("/admin/staff/invite", {"email": "nope", "role": "staff"})
    assert resp.status_code == 422 and 'id="email-error"' in resp.get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True])
def test_disabling_ends_every_session_at_once(app, practices, admin, make_staff, htmx):
    sam = make_staff("sam@riverside.example")
    sam_id = member(app, sam.email).id
    other_device = Staff(app.test_client(), sam.email)
    other_device.sign_in()
    assert open_sessions(app, sam_id) == 2
    resp = admin.post(f"/admin/staff/{sam_id}/disable", htmx=htmx)
    assert resp.status_code == (200 if htmx else 303)
    assert open_sessions(app, sam_id) == 0
    for device in (sam, other_device):
        assert device.get("/admin/").status_code == 303
    assert Staff(app.test_client(), sam.email).sign_in().status_code == 422
    assert "Disabled" in admin.get("/admin/staff").get_data(as_text=True)
    ada_id = member(app, admin.email).id
    assert admin.post(f"/admin/staff/{ada_id}/disable").status_code == 409
    assert audit_actions(app)[-1] == "staff_disabled"


@pytest.mark.parametrize("htmx", [False, True])
def test_resetting_anothers_access(app, smtp, practices, admin, make_staff, htmx):
    sam = make_staff("sam@riverside.example")
    sam_id = member(app, sam.email).id
    resp = admin.post(f"/admin/staff/{sam_id}/reset", htmx=htmx)
    assert resp.status_code == (200 if htmx else 303)
    assert open_sessions(app, sam_id) == 0 and sam.get("/admin/").status_code == 303
    assert Staff(app.test_client(), sam.email).sign_in().status_code == 422   # old password
    _, path = deliver(app, smtp, sam.email)
    assert path.startswith("/admin/reset/")
    person, page, resp = use_link(app, path, htmx=htmx)
    assert page.status_code == 200 and resp.status_code == (204 if htmx else 303)
    assert landing(resp, htmx) == "/admin/login/code"       # the phone is still asked for
    assert person.get("/admin/").status_code == 303
    person.email = sam.email
    assert person.enter_code().headers["Location"] == "/admin/"
    assert person.get("/admin/").status_code == 200
    notice, link = deliver(app, smtp, sam.email)
    assert link is None and "password was changed" in notice.message["Subject"]
    assert audit_actions(app)[-2:] == ["staff_access_reset", "password_reset"]


def _masked(resp) -> bytes:
    return TOKEN_FIELD.sub(rb"\1MASKED\2".decode(), resp.get_data(as_text=True)).encode()


@pytest.mark.parametrize("htmx", [False, True])
def test_forgot_answers_the_same_for_known_and_unknown(app, smtp, practices, make_staff,
                                                       htmx):
    make_staff("sam@riverside.example", sign_in=False)
    answers = []
    for address in ("sam@riverside.example", "nobody@riverside.example"):
        person = visitor(app)
        person.get("/admin/forgot")
        answers.append(person.post("/admin/forgot", {"email": address}, htmx=htmx))
    known, unknown = answers
    assert known.status_code == unknown.status_code == 200
    assert _masked(known) == _masked(unknown)
    assert b"If that address belongs to a staff account" in _masked(known)
    assert dict(known.headers).keys() == dict(unknown.headers).keys()
    with app.app_context():
        send_due()
    assert [m.rcpt_tos for m in smtp.messages] == [["sam@riverside.example"]]


def test_forgot_sends_nothing_to_a_disabled_account(app, smtp, practices, make_staff):
    make_staff("sam@riverside.example", sign_in=False)
    with app.app_context():
        from admin.staff.accounts import disable
        disable("sam@riverside.example")
    person = visitor(app)
    person.get("/admin/forgot")
    assert person.post("/admin/forgot", {"email": "sam@riverside.example"}).status_code == 200
    with app.app_context():
        send_due()
    assert smtp.messages == []


def test_a_reset_link_works_once_ends_other_sessions_and_sends_a_notice(
        app, smtp, practices, make_staff):
    sam = make_staff("sam@riverside.example")
    person = visitor(app)
    person.get("/admin/forgot")
    person.post("/admin/forgot", {"email": "SAM@riverside.example"})
    message, path = deliver(app, smtp, sam.email)
    assert "new password" in message.message["Subject"]
    assert sam.get("/admin/").status_code == 200        # asking changes nothing yet
    reader, page, resp = use_link(app, path)
    assert page.status_code == 200 and resp.status_code == 303
    assert resp.headers["Location"] == "/admin/login/code"   # email alone is not enough
    assert reader.get("/admin/").status_code == 303
    reader.email = sam.email
    assert reader.enter_code().headers["Location"] == "/admin/"
    assert reader.get("/admin/").status_code == 200     # this one is signed in
    assert sam.get("/admin/").status_code == 303        # every other session ended
    assert open_sessions(app, member(app, sam.email).id) == 1
    notice, link = deliver(app, smtp, sam.email)
    assert link is None and "changed" in notice.message["Subject"]
    assert Staff(app.test_client(), sam.email).sign_in(NEW_PASSWORD).status_code == 303
    _, page, resp = use_link(app, path, password="yet another phrase 12")
    assert page.status_code == 410 and resp.status_code == 410


def test_a_reset_link_expires_after_an_hour(app, smtp, practices, make_staff):
    sam = make_staff("sam@riverside.example", sign_in=False)
    person = visitor(app)
    person.get("/admin/forgot")
    person.post("/admin/forgot", {"email": sam.email})
    _, path = deliver(app, smtp, sam.email)
    with app.app_context():
        row = db.session.execute(sa.select(StaffToken)).scalar_one()
        assert row.expires_at - row.created_at == timedelta(hours=1)
        assert row.token_hash != path.rsplit("/", 1)[1]      # stored hashed
    expire_links(app)
    _, page, resp = use_link(app, path)
    assert page.status_code == resp.status_code == 410
    assert Staff(app.test_client(), sam.email).sign_in(PASSWORD).status_code == 303


def test_forgot_is_limited_per_address(app, practices, make_staff, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_FORGOT_LIMIT", "2 per hour")
    person = visitor(app)
    person.get("/admin/forgot")
    codes = [person.post("/admin/forgot", {"email": "sam@riverside.example"}).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]
    elsewhere = {"environ_base": {"REMOTE_ADDR": "192.0.2.44"}}
    other = person.post("/admin/forgot", {"email": "ada@riverside.example"}, **elsewhere)
    assert other.status_code == 200
    same = person.post("/admin/forgot", {"email": "sam@riverside.example"}, **elsewhere)
    assert same.status_code == 429   # the address typed: whoever asks
    mine = person.post("/admin/forgot", {"email": "bo@riverside.example"})
    assert mine.status_code == 429   # and the client: whatever it types
