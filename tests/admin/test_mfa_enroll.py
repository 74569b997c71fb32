"""Setting up the second factor at a first sign-in: the page draws the QR code itself
(inline SVG, an image with a text alternative) and writes the key out in groups of
four; one code from the app proves it (a wrong one: 422 and a clear message); then ten
recovery codes are shown once, each good for one sign-in.  The key is encrypted at rest
and reaches the database only once a code proved it."""
import re

import pytest
import sqlalchemy as sa

from admin.staff.models import StaffRecoveryCode, StaffUser
from audit import AuditEvent
from extensions import db
from tests.admin.conftest import CODES, ENROLL, Staff
from tests.admin.mfa_helpers import key_on_page, recovery_codes_on_page, staff_row, totp
from tests.pages import parse, visible_text


def _svg(html: str) -> str:
    found = re.search(r"<svg\b.*?</svg>", html, re.S)
    assert found, "no inline SVG on the page"
    return found.group(0)


def _half_signed_in(make_staff, email="ana@riverside.example") -> Staff:
    staff = make_staff(email, sign_in=False)
    resp = staff.sign_in_password()
    assert resp.status_code == 303 and resp.headers["Location"] == ENROLL
    return staff


def test_the_enrollment_page_draws_the_qr_code_and_writes_the_key(app, make_staff):
    staff = _half_signed_in(make_staff)
    resp = staff.get(ENROLL)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    svg = _svg(html)
    assert svg.startswith('<svg role="img" aria-label="QR code to scan with your '
                          'authenticator app; the key is also written below."')
    assert "<path" in svg and "http" not in svg.replace("http://www.w3.org", "")
    key = re.search(r'<code id="totp-key">([^<]+)</code>', html).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)       # 160 bits, in fours
    text = visible_text(html)
    assert "Account ana@riverside.example" in text
    assert "Issuer Riverside Family Medicine" in text
    assert "Time-based, 6 digits, every 30 seconds" in text
    field = next(attrs for tag, attrs in parse(html).tags
                 if tag == "input" and attrs.get("name") == "code")
    assert field["autocomplete"] == "one-time-code" and field["inputmode"] == "numeric"
    assert re.search(r'<label for="code">Code from your authenticator app</label>', html)
    assert 'data-hx-post="/admin/login/enroll"' in html and " hx-post" not in html
    assert "<script" not in svg and 'class="admin-nav"' not in html   # no dashboard yet
    # The key stays the same on a reload, and is not in the database before a code.
    assert key_on_page(staff.get(ENROLL).get_data(as_text=True)) == key.replace(" ", "")
    row = staff_row(app, staff.email)
    assert row.totp_secret is None and row.totp_enrolled_at is None


def test_the_qr_code_holds_the_key_for_the_app(app, make_staff):
    """What the app scans: otpauth://totp/<issuer>:<account>?secret=<key>&issuer=…,
    drawn by segno the same way here (the page's drawing is that one)."""
    import segno
    staff = _half_signed_in(make_staff)
    html = staff.get(ENROLL).get_data(as_text=True)
    key = key_on_page(html)
    uri = totp(key).provisioning_uri(name=staff.email, issuer_name="Riverside Family Medicine")
    expected = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000",
                                                     light="#fff", omitsize=True,
                                                     svgclass="qr", lineclass=None)
    assert _svg(html).split(">", 1)[1] == expected.split(">", 1)[1]
    assert 'shape-rendering="crispEdges"' in _svg(html).split(">", 1)[0]


def test_a_new_half_sign_in_is_offered_a_new_key(make_staff):
    staff = _half_signed_in(make_staff)
    first = key_on_page(staff.get(ENROLL).get_data(as_text=True))
    staff.sign_in_password()
    assert key_on_page(staff.get(ENROLL).get_data(as_text=True)) != first


@pytest.mark.parametrize("htmx", [False, True])
def test_a_wrong_code_is_refused_clearly_and_a_right_one_enrolls(app, make_staff, htmx):
    staff = _half_signed_in(make_staff)
    key = key_on_page(staff.get(ENROLL).get_data(as_text=True))
    right = totp(key).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for typed, message in ((wrong, "That code is not right."),
                           ("12 34", "Enter the 6 digits the app shows, like 123456."),
                           ("", "Enter the 6-digit code from your authenticator app.")):
        resp = staff.post(ENROLL, {"code": typed}, htmx=htmx)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422, typed
        assert "There is a problem" in html and message in html, typed
        assert 'href="#code"' in html and 'aria-invalid="true"' in html   # beside the field
        assert ("<html" in html) is not htmx
        assert key_on_page(html) == key            # the same key, to try again
    assert staff_row(app, staff.email).failed_logins == 1    # the wrong code counted
    resp = staff.post(ENROLL, {"code": right}, htmx=htmx)
    if htmx:
        assert resp.status_code == 200 and resp.headers["HX-Push-Url"] == CODES
        assert "Save your recovery codes" in resp.get_data(as_text=True)
    else:
        assert resp.status_code == 303 and resp.headers["Location"] == CODES
    row = staff_row(app, staff.email)
    assert row.totp_secret == key and row.totp_enrolled_at is not None
    assert row.failed_logins == 0
    assert staff.get("/admin/").status_code == 303        # not signed in until "saved"


def test_recovery_codes_are_shown_once_then_signed_in(app, make_staff):
    staff = _half_signed_in(make_staff)
    key = key_on_page(staff.get(ENROLL).get_data(as_text=True))
    staff.post(ENROLL, {"code": totp(key).now()})
    page = staff.get(CODES).get_data(as_text=True)
    codes = recovery_codes_on_page(page)
    assert len(set(codes)) == 10
    assert recovery_codes_on_page(staff.get(CODES).get_data(as_text=True)) == codes  # reload
    assert "I have saved them: continue" in page and 'class="admin-nav"' not in page
    resp = staff.post(CODES)
    assert resp.status_code == 303 and resp.headers["Location"] == "/admin/"
    dashboard = staff.get("/admin/")
    assert dashboard.status_code == 200
    assert staff.get(CODES).status_code == 303                 # never again
    with app.app_context():
        stored = db.session.execute(sa.select(StaffRecoveryCode.code_hash)).scalars().all()
    assert len(stored) == 10 and not set(stored) & set(codes)
    assert not any(code.replace("-", "") in h for code in codes for h in stored)
    assert not any(code in dashboard.get_data(as_text=True) for code in codes)


def test_the_key_is_encrypted_in_the_raw_row(app, make_staff):
    staff = make_staff()                       # enrolled through the pages
    key = staff_row(app, staff.email).totp_secret
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    with app.app_context():
        raw = db.session.execute(sa.text(
            "SELECT * FROM staff_user WHERE email = :email"), {"email": staff.email}).one()
    stored = raw._mapping["totp_secret"]
    assert stored.startswith("gAAAAA")          # a Fernet token
    assert key not in " ".join(str(v) for v in raw)
    assert key.lower() not in " ".join(str(v) for v in raw).lower()


def test_recovery_codes_each_sign_in_once(app, make_staff):
    staff = make_staff()
    codes = staff.recovery_codes
    staff.post("/admin/logout")
    for n, code in enumerate(codes[:2]):
        staff.sign_in_password()
        page = staff.get("/admin/login/recovery")
        assert page.status_code == 200 and "Each code works once" in page.get_data(as_text=True)
        typed = code.upper().replace("-", " ") if n else code    # case, spaces: no matter
        resp = staff.post("/admin/login/recovery", {"code": typed})
        assert resp.status_code == 303 and resp.headers["Location"] == "/admin/"
        assert staff.get("/admin/").status_code == 200
        staff.post("/admin/logout")
    staff.sign_in_password()
    staff.get("/admin/login/recovery")
    again = staff.post("/admin/login/recovery", {"code": codes[0]})
    assert again.status_code == 422
    assert "That recovery code is not right, or it was used before." in again.get_data(
        as_text=True)
    assert staff.get("/admin/").status_code == 303
    assert staff_row(app, staff.email).failed_logins == 1
    with app.app_context():
        used = db.session.execute(sa.select(sa.func.count()).select_from(StaffRecoveryCode)
                                  .where(StaffRecoveryCode.used_at.is_not(None))).scalar()
        actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
    assert used == 2 and actions == ["recovery_code_used"] * 2


def test_a_staff_member_without_a_key_enrolls_at_next_sign_in(app, make_staff):
    """Rows from before the second factor (migration 0011 adds no key): the password
    leads to enrollment, and no code step can be skipped to."""
    staff = _half_signed_in(make_staff)
    resp = staff.get("/admin/login/code")
    assert resp.status_code == 303 and resp.headers["Location"] == ENROLL
    staff.get(ENROLL)
    resp = staff.post("/admin/login/recovery", {"code": "0000-0000-0000"})
    assert resp.status_code == 303 and resp.headers["Location"] == ENROLL
    with app.app_context():
        assert db.session.execute(sa.select(StaffUser.totp_enrolled_at)).scalar() is None
