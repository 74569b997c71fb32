"""Resetting the second factor (a lost phone): an admin's "Reset two-factor" for their
own practice's staff, or `flask --app app staff reset-mfa EMAIL`.  Audited; every
session of the member ends; their key and recovery codes are gone, and they enroll
again at their next sign-in.  Nothing else removes or skips it: a password reset by
email still asks for the code."""
import pytest
import sqlalchemy as sa

from admin.staff.models import StaffRecoveryCode
from audit import AuditEvent
from extensions import db
from tests.admin.conftest import CODE, ENROLL, Staff
from tests.admin.mfa_helpers import staff_row
from tests.admin.test_staff_onboarding import deliver, open_sessions, use_link


def _audit(app) -> list:
    with app.app_context():
        return [(e.action, e.staff_id, e.detail) for e in db.session.execute(
            sa.select(AuditEvent).order_by(AuditEvent.id)).scalars()]


def _codes_left(app, staff_id: int) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(StaffRecoveryCode)
                                  .where(StaffRecoveryCode.staff_id == staff_id)).scalar()


def _second_device(app, staff) -> Staff:
    other = Staff(app.test_client(), staff.email)
    assert other.sign_in().headers["Location"] == "/admin/"
    return other


def _reset_was_done(app, sam, devices) -> None:
    row = staff_row(app, sam.email)
    assert row.totp_secret is None and row.totp_enrolled_at is None
    assert row.totp_last_step is None and _codes_left(app, row.id) == 0
    assert open_sessions(app, row.id) == 0
    for device in devices:
        assert device.get("/admin/").status_code == 303
    fresh = Staff(app.test_client(), sam.email)
    assert fresh.sign_in_password().headers["Location"] == ENROLL    # enroll again
    assert fresh.get(CODE).headers["Location"] == ENROLL
    fresh.get(ENROLL)                                   # a page, and its form token
    old_code = fresh.post("/admin/login/recovery", {"code": sam.recovery_codes[0]})
    assert old_code.headers["Location"] == ENROLL       # old recovery codes: nothing
    assert fresh.enroll().headers["Location"] == "/admin/"


@pytest.mark.parametrize("htmx", [False, True])
def test_an_admin_resets_a_members_two_factor(app, make_staff, htmx):
    admin = make_staff("ada@riverside.example", admin=True)
    sam = make_staff("sam@riverside.example")
    other = _second_device(app, sam)
    sam_id = staff_row(app, sam.email).id
    listing = admin.get("/admin/staff").get_data(as_text=True)
    action = f'action="/admin/staff/{sam_id}/reset-mfa"'
    assert action in listing and f'data-hx-post="/admin/staff/{sam_id}/reset-mfa"' in listing
    assert "Reset two-factor<span class=\"vh\"> sam@riverside.example</span>" in listing
    assert "Two-factor: on" in listing
    resp = admin.post(f"/admin/staff/{sam_id}/reset-mfa", htmx=htmx)
    if htmx:
        assert resp.status_code == 200
        assert resp.headers["HX-Push-Url"] == "/admin/staff?done=mfa_reset"
        html = resp.get_data(as_text=True)
    else:
        assert resp.status_code == 303
        html = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Two-factor sign-in reset: signed out everywhere." in html
    assert "Two-factor: set up at next sign-in" in html and action not in html
    admin_id = staff_row(app, admin.email).id
    assert _audit(app)[-1] == ("mfa_reset", admin_id, f"staff:{sam_id}")
    assert admin.get("/admin/").status_code == 200           # the admin stays signed in
    _reset_was_done(app, sam, (sam, other))


def test_who_may_reset_two_factor(app, make_staff):
    admin = make_staff("ada@riverside.example", admin=True)
    sam = make_staff("sam@riverside.example")
    bo = make_staff("bo@hillcrest.example", practice="hillcrest-internal", admin=True)
    sam_id = staff_row(app, sam.email).id
    admin_id = staff_row(app, admin.email).id
    assert bo.post(f"/admin/staff/{sam_id}/reset-mfa").status_code == 404   # another practice
    assert sam.post(f"/admin/staff/{admin_id}/reset-mfa").status_code == 403   # not an admin
    own = admin.post(f"/admin/staff/{admin_id}/reset-mfa")
    assert own.status_code == 409                      # not oneself (the CLI is for that)
    assert "Only another, active staff member" in own.get_data(as_text=True)
    assert f'/admin/staff/{admin_id}/reset-mfa"' not in admin.get("/admin/staff").get_data(
        as_text=True)
    assert staff_row(app, sam.email).totp_enrolled_at is not None
    assert staff_row(app, admin.email).totp_enrolled_at is not None
    assert sam.get("/admin/").status_code == 200
    assert [a for a, _, _ in _audit(app)] == []


def test_the_cli_resets_two_factor(app, runner, make_staff):
    sam = make_staff("sam@riverside.example", admin=True)    # the practice's last admin
    other = _second_device(app, sam)
    result = runner.invoke(args=["staff", "reset-mfa", "SAM@riverside.example"])
    assert result.exit_code == 0, result.output
    assert "two-factor sign-in reset; their sessions ended" in result.output
    sam_id = staff_row(app, sam.email).id
    assert _audit(app) == [("mfa_reset_cli", sam_id, f"staff:{sam_id}")]
    _reset_was_done(app, sam, (sam, other))
    unknown = runner.invoke(args=["staff", "reset-mfa", "nobody@riverside.example"])
    assert unknown.exit_code != 0 and "no staff member" in unknown.output


def test_a_password_reset_by_email_never_skips_the_code(app, smtp, make_staff):
    """Email alone must never be enough: after the link, the code is still asked for,
    a wrong one refused, and the dashboard out of reach until it is given."""
    sam = make_staff("sam@riverside.example")
    person = Staff(app.test_client(), "")
    person.get("/admin/forgot")
    person.post("/admin/forgot", {"email": sam.email})
    _, path = deliver(app, smtp, sam.email)
    person, page, resp = use_link(app, path)
    assert page.status_code == 200 and resp.headers["Location"] == CODE
    person.email = sam.email
    person.get(CODE)
    for where in ("/admin/", "/admin/staff", "/admin/audit"):
        assert person.get(where).status_code == 303
    assert person.post(CODE, {"code": "000000"}).status_code == 422
    assert person.get("/admin/").status_code == 303
    row = staff_row(app, sam.email)
    assert row.totp_enrolled_at is not None and _codes_left(app, row.id) == 10
    assert person.enter_code().headers["Location"] == "/admin/"
    assert person.get("/admin/").status_code == 200
