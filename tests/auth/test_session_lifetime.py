"""Sessions have an absolute lifetime as well as the idle timeout: however busy, a
staff session ends STAFF_SESSION_HOURS (12) after sign-in, a patient's
PATIENT_SESSION_HOURS (12), and sign-in is asked again.  Time is moved by moving the
session row's start back (as the idle tests move last_seen_at)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from auth.sessions import AuthSession, utcnow
from database import write_transaction
from extensions import db


def _began_hours_ago(app, kind: str, hours: float) -> None:
    """The session began `hours` ago, and was used a moment ago (not idle)."""
    now = utcnow()
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(AuthSession).where(AuthSession.kind == kind).values(
            created_at=now - timedelta(hours=hours), last_seen_at=now))


def _open(app, kind: str) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(AuthSession).where(
            AuthSession.kind == kind, AuthSession.ended_at.is_(None))).scalar_one()


@pytest.fixture(params=["staff", "patient"])
def signed_in(request, make_staff, patient):
    """(browser, kind, a page of theirs, its sign-in page, the setting)."""
    if request.param == "staff":
        return (make_staff(), "staff", "/admin/", "/admin/login", "STAFF_SESSION_HOURS")
    return (patient(), "patient", "/status", "/login", "PATIENT_SESSION_HOURS")


def test_a_session_ends_after_its_lifetime_however_busy(app, signed_in):
    browser, kind, page, login, setting = signed_in
    assert app.config[setting] == 12
    _began_hours_ago(app, kind, 11.9)
    assert browser.get(page).status_code == 200          # busy, and within 12 hours
    _began_hours_ago(app, kind, 12.01)
    resp = browser.get(page)
    assert resp.status_code == 303 and resp.headers["Location"] == f"{login}?expired=1"
    assert _open(app, kind) == 0                          # ended, not only refused
    _began_hours_ago(app, kind, 0)                        # an ended one stays ended
    assert browser.get(page).status_code == 303
    htmx = browser.get(page, htmx=True)
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].startswith(login)


def test_the_lifetime_comes_from_the_configuration(app, signed_in):
    browser, kind, page, _, setting = signed_in
    app.config[setting] = 2
    try:
        _began_hours_ago(app, kind, 1.9)
        assert browser.get(page).status_code == 200
        _began_hours_ago(app, kind, 2.1)
        assert browser.get(page).status_code == 303
    finally:
        app.config[setting] = 12
