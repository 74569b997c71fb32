"""Every limit as shipped (config.py's defaults): how many tries from one client address
get through within a minute before the first 429, measured with the test client, and
what the 429 says (when to try again, in minutes, and Retry-After in seconds).

README "Limits" lists the same numbers; each row there is one case here."""
import time

import pytest
import sqlalchemy as sa

from auth.clock import utcnow
from database import write_transaction
from enrollment.models import EnrollmentRequest
from extensions import db
from tests.limits.conftest import client_at, minutes_said, patient_at
from tests.wizard import GOOD, Patient

ADDRESS = "198.51.100.23"


def count_until_refused(attempt, most: int) -> tuple[int, object]:
    """Tries `attempt()` until a 429 (or `most` + 1 tries); (tries through, the 429)."""
    started = time.monotonic()
    for n in range(most + 1):
        resp = attempt(n)
        if resp.status_code == 429:
            assert time.monotonic() - started < 60, "not measured within a minute"
            return n, resp
        assert resp.status_code in (200, 303, 401, 422), (n, resp.status_code)
    raise AssertionError(f"no 429 after {most + 1} tries")


def assert_says_when(resp, window_minutes: int) -> None:
    """The 429 says when (in minutes, from the limit's reset) and sets Retry-After."""
    seconds = int(resp.headers["Retry-After"])
    assert 0 < seconds <= window_minutes * 60 + 1   # Flask-Limiter rounds its reset up
    html = resp.get_data(as_text=True)
    said = minutes_said(html)
    # The page and the header each read the reset a moment apart: at a whole minute's
    # edge (Retry-After 60) the page may say one minute more, never less.
    minutes = -(-seconds // 60)
    assert said in (minutes, minutes + 1) or (said > 90 and said // 60 == -(-seconds // 3600))


# --- the wizard ----------------------------------------------------------------------

def test_drafts_per_client(app, practices, default_limits):
    """ENROLL_DRAFT_LIMIT 10 per hour: 10 new drafts, then a 429 (nothing typed lost
    but the practice chosen)."""
    def attempt(n):
        return patient_at(app, ADDRESS).step("practice", {"practice": str(
            practices["riverside-family"])})
    through, refused = count_until_refused(attempt, 10)
    assert through == 10
    assert_says_when(refused, 60)


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_wizard_posts_per_client(app, practices, default_limits, htmx):
    """ENROLL_POST_LIMIT 20 per minute; 200 per hour: 20 posts, then a 429 page (htmx:
    the page's fragment, swapped into <main> by base.html's htmx-config)."""
    patient = patient_at(app, ADDRESS, htmx=htmx)
    choice = {"practice": str(practices["riverside-family"])}
    through, refused = count_until_refused(lambda n: patient.step("practice", choice), 20)
    assert through == 20
    assert_says_when(refused, 1)
    html = refused.get_data(as_text=True)
    assert ("<html" in html) != htmx and "What you saved is kept" in html
    assert "Continue your enrollment" in html


def test_live_password_checks_per_client(app, practices, default_limits):
    """LIVE_CHECK_LIMIT 30 per minute; 300 per hour."""
    patient = patient_at(app, ADDRESS)
    through, refused = count_until_refused(lambda n: patient.post(
        "/enroll/check/password", {"password": f"a long enough sentence {n}"}), 30)
    assert through == 30 and refused.get_data(as_text=True) == ""
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_live_username_checks_per_draft(app, practices, default_limits):
    """LIVE_CHECKS_PER_DRAFT 30: one draft, from ever-changing addresses (so the
    per-client limit never binds), answers 30 usernames, then nothing."""
    patient = patient_at(app, ADDRESS)
    patient.complete_through("insurance", practices["riverside-family"])

    def attempt(n):
        patient.client.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"
        return patient.post("/enroll/check/username", {"username": f"someone{n:03d}"})
    through, refused = count_until_refused(attempt, 30)
    assert through == 30 and refused.get_data(as_text=True) == ""


def _enroll(patient: Patient, practice_id: int, n: int):
    personal = {**GOOD["personal"], "email": f"family{n}@example.org"}
    credentials = {**GOOD["credentials"], "username": f"family-member{n}"}
    data = {"practice": {"practice": str(practice_id)}, **GOOD, "personal": personal,
            "credentials": credentials}
    resp = None
    for name in ("practice", "personal", "insurance", "credentials", "security", "review"):
        resp = patient.step(name, data[name])
        if resp.status_code != 303:
            return resp
    return resp


def test_whole_enrollments_in_a_minute(app, practices, default_limits):
    """Driven as fast as the client goes: 3 whole enrollments (18 posts) get through in
    a minute; the 4th is stopped at its 3rd post by ENROLL_POST_LIMIT (20 a minute),
    the draft kept."""
    done = []
    for n in range(5):
        patient = patient_at(app, ADDRESS)
        resp = _enroll(patient, practices["riverside-family"], n)
        if resp.status_code == 429:
            break
        done.append(resp)
    assert len(done) == 3
    assert_says_when(resp, 1)
    assert 'value="Maria"' in patient.get("/enroll/personal").get_data(as_text=True)


def test_submissions_per_client(app, practices, default_limits, monkeypatch):
    """SUBMIT_LIMIT 5 per hour.  Measured without ENROLL_POST_LIMIT's per-minute part
    (a test cannot wait the minute it imposes): 5 submissions, then the 6th is refused
    at the review step, its answers kept."""
    monkeypatch.setitem(app.config, "ENROLL_POST_LIMIT", "200 per hour")
    codes = []
    for n in range(6):
        patient = patient_at(app, ADDRESS)
        resp = _enroll(patient, practices["riverside-family"], n)
        codes.append(resp.status_code)
    assert codes == [303] * 5 + [429]
    assert_says_when(resp, 60)
    assert "Your answers are saved" in resp.get_data(as_text=True)


def test_submissions_per_email_address(app, practices, default_limits):
    """SUBMIT_LIMIT per email address too (never multiplied): 5 requests with one
    address, from five clients, then the 6th is refused."""
    codes = []
    for n in range(6):
        patient = patient_at(app, f"198.51.100.{100 + n}")
        personal = {**GOOD["personal"], "email": "Shared.Family@Example.org"}
        patient.complete_through("security", practices["riverside-family"],
                                 personal=personal, credentials={
                                     **GOOD["credentials"], "username": f"member{n}x"})
        codes.append(patient.step("review").status_code)
    assert codes == [303] * 5 + [429]


# --- after submission ---------------------------------------------------------------

def _age_link(app, request_id: int) -> None:
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(EnrollmentRequest).where(
            EnrollmentRequest.id == request_id).values(
            confirmation_sent_at=utcnow().replace(year=2000)))


def test_new_confirmation_links(app, practices, default_limits, patient):
    """One a minute per request (confirmation.py): right after submission, none gets
    through; the next minute one does.  CONFIRM_RESEND_LIMIT (5 per hour) per request
    and per client holds over the minutes (here the minute is moved back)."""
    user = patient(confirmed=False, sign_in=False)
    first = user.post("/enroll/done/new-link")
    assert first.status_code == 429 and first.headers["Retry-After"] == "60"
    assert "A link was sent a moment ago" in first.get_data(as_text=True)

    def attempt(n):
        _age_link(app, user.request_id)
        return user.post("/enroll/done/new-link")
    through, refused = count_until_refused(attempt, 5)
    assert through == 4   # 5 per hour: the refused first one counted too
    assert_says_when(refused, 60)


def test_patient_recovery_per_client(app, practices, default_limits):
    """PATIENT_RECOVERY_LIMIT 10 per hour (forgot password, forgot username, a link)."""
    person = patient_at(app, ADDRESS)
    person.get("/forgot-username")
    through, refused = count_until_refused(lambda n: person.post(
        "/forgot-username", {"email": f"p{n}@example.org"}), 10)
    assert through == 10
    assert_says_when(refused, 60)


def test_patient_sign_in_per_client(app, practices, default_limits, patient):
    """PATIENT_LOGIN_LIMIT 10 per 15 minutes, failures only."""
    user = patient(sign_in=False)
    user.client.environ_base["REMOTE_ADDR"] = ADDRESS
    through, refused = count_until_refused(lambda n: user.sign_in(password="wrong"), 10)
    assert through == 10
    assert_says_when(refused, 15)


def test_staff_forgot_per_client(app, practices, default_limits):
    """STAFF_FORGOT_LIMIT 5 per hour, per client and per address typed."""
    person = patient_at(app, ADDRESS)
    person.get("/admin/forgot")
    through, refused = count_until_refused(lambda n: person.post(
        "/admin/forgot", {"email": f"s{n}@riverside.example"}), 5)
    assert through == 5
    assert_says_when(refused, 60)


def test_staff_sign_in_per_client(app, practices, default_limits):
    """STAFF_LOGIN_LIMIT 10 per 15 minutes, failures only."""
    person = patient_at(app, ADDRESS)
    person.get("/admin/login")
    through, refused = count_until_refused(lambda n: person.post(
        "/admin/login", {"email": "ana@riverside.example", "password": "wrong"}), 10)
    assert through == 10
    assert_says_when(refused, 15)


def test_staff_codes_per_client(app, practices, default_limits, make_staff):
    """STAFF_MFA_LIMIT 10 per 15 minutes, wrong codes only."""
    staff = make_staff()
    staff.post("/admin/logout")
    staff.client.environ_base["REMOTE_ADDR"] = ADDRESS
    assert staff.sign_in_password().status_code == 303
    through, refused = count_until_refused(lambda n: staff.enter_code("000000"), 10)
    assert through == 10
    assert_says_when(refused, 15)


def test_human_check_fallback_per_client(app, practices, default_limits, monkeypatch):
    """HUMAN_CHECK_FALLBACK_LIMIT 20 per hour: fallback tries, even too early ones."""
    monkeypatch.setitem(app.config, "HUMAN_CHECK", True)
    monkeypatch.setitem(app.config, "HUMAN_CHECK_FALLBACK_MIN_SECONDS", 600)
    patient = patient_at(app, ADDRESS)
    patient.complete_through("personal", practices["riverside-family"])
    patient.client.environ_base["REMOTE_ADDR"] = "203.0.113.200"   # posts: not the limit here
    page = patient.get("/enroll/insurance").get_data(as_text=True)
    token = page.split('name="human_check_token" value="')[1].split('"')[0]
    through, refused = count_until_refused(lambda n: patient.step(
        "insurance", {"human_check": "y", "human_check_token": token}), 20)
    assert through == 20
    assert_says_when(refused, 60)


def test_a_client_elsewhere_is_not_refused(app, practices, default_limits):
    """Limits per client: one client over a limit leaves the next one alone."""
    choice = {"practice": str(practices["riverside-family"])}
    for _ in range(10):
        assert patient_at(app, ADDRESS).step("practice", choice).status_code == 303
    assert patient_at(app, ADDRESS).step("practice", choice).status_code == 429
    assert Patient(client_at(app, "198.51.100.24")).step("practice", choice).status_code == 303


def test_the_practice_ceiling(app, practices, default_limits):
    """PRACTICE_SUBMISSIONS_PER_HOUR 60: from many addresses (one address stops at
    SUBMIT_LIMIT first), 60 submissions in the hour, then the next is refused."""
    def attempt(n):
        return _enroll(patient_at(app, f"10.1.{n // 200}.{n % 200 + 1}"),
                       practices["riverside-family"], n)
    through, refused = count_until_refused(attempt, 60)
    assert through == 60
    assert_says_when(refused, 60)
    assert "received more requests than usual" in refused.get_data(as_text=True)
