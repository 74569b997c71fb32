"""Coming back: the visit cookie and the date-of-birth check, expiry, purge, cookies."""
import base64
import hashlib
from datetime import timedelta

import pytest

from app import create_app
from enrollment import drafts
from enrollment.models import Draft, utcnow
from extensions import db
from tests.conftest import CHEAP_ARGON2, csrf_token
from tests.pages import visible_text
from tests.state import all_rows, cookie, count, draft_of, update_draft
from tests.wizard import GOOD, Patient

PERSONAL_BITS = ("Maria", "Delgado", "Elm Street", "Springfield", "0199", "1984",
                 "03/09", "maria.d@example.org", "MariaD84", "mariad84")


def close_browser(client, patient: Patient | None = None) -> None:
    """What closing the browser forgets: the browser-session cookies (the visit mark and
    Flask's session), not the 24-hour draft cookie."""
    client.delete_cookie(drafts.VISIT_COOKIE, path="/enroll")
    client.delete_cookie("portal_session")
    if patient is not None:
        patient.token = None
    assert cookie(client, drafts.DRAFT_COOKIE) is not None


def location(resp) -> str:
    return resp.headers.get("HX-Redirect") or resp.headers.get("Location", "")


def answer_resume(patient: Patient, dob: str):
    if patient.token is None:
        patient.get("/enroll/resume")
    return patient.post("/enroll/resume", {"date_of_birth": dob})


def assert_nothing_personal(html: str) -> None:
    for bit in PERSONAL_BITS:
        assert bit not in html, bit


# --- the date-of-birth check ------------------------------------------------------------

@pytest.mark.parametrize("htmx", [False, True])
def test_a_returning_browser_must_give_the_date_of_birth_first(app, client, practices,
                                                               htmx):
    Patient(client).complete_through("insurance", practices["hillcrest-internal"])
    close_browser(client)
    headers = {"HX-Request": "true"} if htmx else {}
    for path in ("/enroll/", "/enroll/practice", "/enroll/personal", "/enroll/insurance",
                 "/enroll/credentials", "/enroll/review", "/enroll/done",
                 "/enroll/appointment"):
        resp = client.get(path, headers=headers)
        assert resp.status_code == (204 if htmx else 303), path
        assert location(resp).endswith("/enroll/resume"), path
        assert_nothing_personal(resp.get_data(as_text=True))

    page = client.get("/enroll/resume", headers=headers)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Welcome back" in html and "date of birth" in html
    assert_nothing_personal(html)
    assert "Hillcrest" not in html
    assert "no-store" in page.headers["Cache-Control"]


def test_a_post_from_a_returning_browser_saves_nothing(app, client, practices):
    patient = Patient(client)
    patient.complete_through("insurance", practices["hillcrest-internal"])
    before = draft_of(app, client)
    close_browser(client, patient)
    token = csrf_token(client.get("/enroll/resume").get_data(as_text=True))
    resp = client.post("/enroll/personal", data={**GOOD["personal"], "city": "Elsewhere",
                                                 "csrf_token": token})
    assert resp.status_code == 303
    assert location(resp).endswith("/enroll/resume")
    live = client.post("/enroll/check/username", data={"username": "x", "csrf_token": token})
    assert location(live).endswith("/enroll/resume")
    after = draft_of(app, client)
    assert (after.data, after.clean, after.done) == (before.data, before.clean, before.done)


@pytest.mark.parametrize("typed", ["1984-03-09", "03/09/1984"])
def test_the_right_date_of_birth_resumes_at_the_first_incomplete_step(app, client,
                                                                      practices, typed):
    patient = Patient(client)
    patient.complete_through("insurance", practices["hillcrest-internal"])
    close_browser(client, patient)
    resp = answer_resume(patient, typed)
    assert resp.status_code == 303
    start = patient.get(location(resp))
    assert location(start).endswith("/enroll/credentials")
    assert cookie(client, drafts.VISIT_COOKIE)
    page = patient.get("/enroll/personal")
    assert page.status_code == 200
    assert 'value="Maria"' in page.get_data(as_text=True)
    assert patient.get("/enroll/credentials").status_code == 200


def test_five_wrong_answers_erase_the_draft(app, client, practices):
    patient = Patient(client)
    patient.complete_through("personal", practices["hillcrest-internal"])
    draft_id = draft_of(app, client).id
    close_browser(client, patient)
    for left in (4, 3, 2, 1):
        resp = answer_resume(patient, "1990-01-01" if left % 2 else "not a date")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422
        assert f"{left} tries left" in html
        assert_nothing_personal(html)
        assert count(app, Draft, Draft.id == draft_id) == 1
    resp = answer_resume(patient, "1984-03-10")
    assert resp.status_code == 403
    assert "erased" in visible_text(resp.get_data(as_text=True))
    assert count(app, Draft, Draft.id == draft_id) == 0
    assert cookie(client, drafts.DRAFT_COOKIE) is None
    # The right answer is no use now: the information is gone.
    assert location(client.get("/enroll/personal")).endswith("/enroll/practice")


def test_a_right_answer_after_wrong_ones_resets_the_count(app, client, practices):
    patient = Patient(client)
    patient.complete_through("personal", practices["hillcrest-internal"])
    close_browser(client, patient)
    for _ in range(3):
        assert answer_resume(patient, "1990-01-01").status_code == 422
    assert draft_of(app, client).dob_failures == 3
    assert answer_resume(patient, "1984-03-09").status_code == 303
    assert draft_of(app, client).dob_failures == 0


def test_a_draft_without_personal_information_does_not_ask(app, client, practices):
    patient = Patient(client)
    patient.complete_through("practice", practices["hillcrest-internal"])
    close_browser(client, patient)
    resp = patient.get("/enroll/personal")
    assert resp.status_code == 200
    assert "Enter personal information" in resp.get_data(as_text=True)
    assert cookie(client, drafts.VISIT_COOKIE)          # this browser is the visit now
    assert location(patient.get("/enroll/resume")).endswith("/enroll/")
    # ...and it can carry on with the same draft.
    draft_id = draft_of(app, client).id
    assert patient.step("personal").status_code == 303
    assert draft_of(app, client).id == draft_id
    assert "personal" in draft_of(app, client).done


def test_typed_but_unsaved_personal_information_is_protected_too(app, client, practices):
    """Back saves what was typed without validating it: that is personal information
    on a shared computer as much as a completed step."""
    patient = Patient(client)
    patient.complete_through("practice", practices["hillcrest-internal"])
    patient.step("personal", {**GOOD["personal"], "email": "oops"}, action="back")
    close_browser(client, patient)
    resp = patient.get("/enroll/personal")
    assert location(resp).endswith("/enroll/resume")
    assert_nothing_personal(resp.get_data(as_text=True))
    assert answer_resume(patient, "1990-01-01").status_code == 422
    assert answer_resume(patient, "1984-03-09").status_code == 303
    assert 'value="oops"' in patient.get("/enroll/personal").get_data(as_text=True)


def test_a_submitted_draft_does_not_ask(app, client, practices):
    patient = Patient(client)
    patient.complete_through("review", practices["hillcrest-internal"])
    close_browser(client, patient)
    resp = patient.get("/enroll/done")
    assert resp.status_code == 200
    assert "approval is pending" in resp.get_data(as_text=True)


# --- expiry and purge -------------------------------------------------------------------

def test_an_expired_draft_is_treated_as_absent(app, client, practices):
    patient = Patient(client)
    patient.complete_through("insurance", practices["hillcrest-internal"])
    old = draft_of(app, client)
    update_draft(app, old.id, expires_at=utcnow() - timedelta(seconds=1))
    assert location(patient.get("/enroll/credentials")).endswith("/enroll/practice")
    page = patient.get("/enroll/practice").get_data(as_text=True)
    assert "selected" not in page
    close_browser(client, patient)
    assert location(patient.get("/enroll/resume")).endswith("/enroll/")   # nothing to ask
    # Starting again makes a new draft; the expired one is not revived.
    patient.step("practice", {"practice": str(practices["hillcrest-internal"])})
    fresh = draft_of(app, client)
    assert fresh.id != old.id
    assert fresh.done == ["practice"]


def test_a_draft_lives_for_the_configured_hours_from_its_last_save(app, client, practices,
                                                                    monkeypatch):
    patient = Patient(client)
    resp = patient.step("practice", {"practice": str(practices["hillcrest-internal"])})
    draft = draft_of(app, client)
    assert draft.expires_at - draft.updated_at == timedelta(hours=24)
    assert "Max-Age=86400" in next(h for h in resp.headers.getlist("Set-Cookie")
                                   if h.startswith("enroll_draft="))
    update_draft(app, draft.id, expires_at=utcnow() + timedelta(minutes=5))
    monkeypatch.setitem(app.config, "DRAFT_TTL_HOURS", 2)
    patient.step("personal")
    draft = draft_of(app, client)
    assert abs(draft.expires_at - (utcnow() + timedelta(hours=2))) < timedelta(minutes=1)


def test_purge_deletes_expired_drafts_only(app, runner):
    with app.test_request_context():
        kept, _ = drafts.create()
        expired, _ = drafts.create()
        also_expired, _ = drafts.create()
    update_draft(app, expired.id, expires_at=utcnow() - timedelta(minutes=1))
    update_draft(app, also_expired.id, expires_at=utcnow() - timedelta(days=3),
                 submitted_at=utcnow() - timedelta(days=4))
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "expired drafts deleted: 2" in result.output
    assert [d.id for d in all_rows(app, Draft)] == [kept.id]
    again = runner.invoke(args=["purge"])
    assert "expired drafts deleted: 0" in again.output
    assert count(app, Draft) == 1


# --- the cookies ------------------------------------------------------------------------

def test_the_cookie_holds_only_an_unguessable_id(app, client, practices):
    tokens = []
    for _ in range(2):
        other = app.test_client()
        Patient(other).complete_through("personal", practices["hillcrest-internal"])
        tokens.append((cookie(other, drafts.DRAFT_COOKIE), draft_of(app, other)))
    (token, draft), (token2, draft2) = tokens
    assert token != token2 and draft.id != draft2.id
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128
    assert draft.id == hashlib.sha256(token.encode()).hexdigest()
    assert draft.id != token
    assert count(app, Draft, Draft.id == token) == 0
    with app.app_context():
        stored = db.session.get(Draft, draft.id)
        assert token not in repr(stored.data) + repr(stored.clean)
    visit = cookie(client, drafts.VISIT_COOKIE)
    assert visit is None or token not in visit


def _set_cookies(resp) -> dict:
    return {h.split("=", 1)[0]: h for h in resp.headers.getlist("Set-Cookie")}


def _first_cookies(client, practice_id, **kw) -> dict:
    page = client.get("/enroll/practice", **kw)
    token = csrf_token(page.get_data(as_text=True))
    resp = client.post("/enroll/practice", data={"practice": str(practice_id),
                                                 "csrf_token": token}, **kw)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    return {**_set_cookies(page), **_set_cookies(resp)}


def test_cookies_are_httponly_and_samesite_lax_not_secure_in_development(client,
                                                                       practices):
    cookies = _first_cookies(client, practices["hillcrest-internal"])
    assert {"enroll_draft", "enroll_visit", "portal_session"} <= set(cookies)
    for name, header in cookies.items():
        assert "HttpOnly" in header, name
        assert "SameSite=Lax" in header, name
        assert "Secure" not in header, name
    assert "Path=/enroll" in cookies["enroll_draft"]
    assert "Max-Age" not in cookies["enroll_visit"]     # ends with the browser session


def test_cookies_are_secure_when_session_cookie_secure(app, client, practices,
                                                       monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    cookies = _first_cookies(client, practices["hillcrest-internal"],
                             base_url="https://localhost")
    for name in ("enroll_draft", "enroll_visit", "portal_session"):
        assert "Secure" in cookies[name], name
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]


def test_production_sets_secure_cookies(app, practices, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://localhost")
    monkeypatch.setenv("PORTAL_DATA_KEYS", ",".join(app.config["PORTAL_DATA_KEYS"]))
    monkeypatch.setenv("PORTAL_INDEX_KEY", app.config["PORTAL_INDEX_KEY"])
    prod = create_app({"TESTING": True, "HUMAN_CHECK": False, **CHEAP_ARGON2,
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    try:
        assert prod.config["SESSION_COOKIE_SECURE"] is True
        https = {"base_url": "https://localhost",
                 "headers": {"Referer": "https://localhost/enroll/practice"}}
        cookies = _first_cookies(prod.test_client(), practices["hillcrest-internal"],
                                 **https)
        for name in ("enroll_draft", "enroll_visit", "portal_session"):
            assert "Secure" in cookies[name], name
            assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]
    finally:
        with prod.app_context():
            db.session.remove()
            db.engine.dispose()
