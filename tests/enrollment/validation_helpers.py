"""Shared by the step-validation tests: posting a step, and what a valid (advanced) or
an invalid (422) answer must look like."""
import hashlib
import json
from datetime import date, timedelta
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from enrollment import drafts
from enrollment.models import Draft, Practice
from extensions import db
from tests.wizard import GOOD, Patient, read_page

RIVERSIDE, HILLCREST = "riverside-family", "hillcrest-internal"
PASSWORD = GOOD["credentials"]["password"]
MODES = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
BEFORE = {"practice": None, "personal": "practice", "insurance": "personal",
          "credentials": "insurance", "security": "credentials", "review": "security"}
# What the fragment of each target shows, to know it is that step's.
SHOWS = {"personal": "Step 2 of 6: Personal information",
         "insurance": "Step 3 of 6: Insurance information",
         "credentials": "Step 4 of 6: Account credentials",
         "security": "Step 5 of 6: Security questions",
         "review": "Step 6 of 6: Review and submit",
         "appointment": "Reason for visit",
         "done": "approval is pending from your practice"}
SECRET = {"password", "confirm"}
DROP = object()   # a case value meaning "leave this field out of the post"

FULL_INSURANCE = {"carrier": "Blue Prairie PPO", "member_id": "XZP123456789",
                  "group_number": "G-7781", "subscriber_name": "Maria Delgado",
                  "relationship": "self", "claim_street": "PO Box 1000", "claim_line2": "",
                  "claim_city": "Chicago", "claim_state": "IL", "claim_zip": "60601"}


# --- Helpers ------------------------------------------------------------------------------

def body(resp) -> str:
    return resp.get_data(as_text=True)


def years_ago(years: int, days: int = 0) -> date:
    today = date.today()
    try:
        then = today.replace(year=today.year - years)
    except ValueError:          # 29 February
        then = today.replace(year=today.year - years, day=28)
    return then - timedelta(days=days)


def patient_at(client, practices, step: str, htmx: bool, practice: str = RIVERSIDE):
    """A patient whose draft has every step before `step` complete."""
    patient = Patient(client, htmx=htmx)
    if BEFORE.get(step):
        patient.complete_through(BEFORE[step], practices[practice])
    return patient


def with_changes(base: dict, changes: dict) -> dict:
    data = dict(base)
    for key, value in changes.items():
        if value is DROP:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def assert_advanced(resp, target: str, htmx: bool) -> None:
    if htmx:
        assert resp.status_code == 200, body(resp)[:2000]
        assert resp.headers["HX-Push-Url"] == f"/enroll/{target}"
        html = body(resp)
        assert "<html" not in html.lower() and "<!doctype" not in html.lower()
        assert 'id="page-heading"' in html
        assert SHOWS[target] in " ".join(read_page(html).texts.values()) + html
        assert "HX-Request" in resp.headers.get("Vary", "")
    else:
        assert resp.status_code == 303, body(resp)[:2000]
        assert urlparse(resp.headers["Location"]).path == f"/enroll/{target}"


def assert_rejected(resp, field: str, message: str, htmx: bool, sent: dict | None = None,
                    skip_kept=()) -> None:
    """422; the message beside the field and in the summary; values kept, passwords not;
    the summary is the focus target and links to the field."""
    html = body(resp)
    assert resp.status_code == 422, html[:2000]
    page = read_page(html)
    assert message in page.texts.get(f"{field}-error", ""), (field, page.texts)
    summary = page.texts.get("error-summary", "")
    assert message in summary
    assert f'href="#{field}"' in html
    focus = page.attrs_by_id["error-summary"]
    assert focus.get("tabindex") == "-1" and focus.get("role") == "alert"
    widget = page.attrs_by_id.get(field, {})
    if widget.get("tag") in ("input", "select", "textarea"):
        assert widget.get("aria-invalid") == "true"
        assert f"{field}-error" in widget.get("aria-describedby", "")
    if htmx:
        assert "<html" not in html.lower() and 'id="step-indicator"' in html
    else:
        assert html.lstrip().lower().startswith("<!doctype html>")
    assert_kept(page, sent or {}, skip_kept)
    for name in SECRET & set(page.values):
        assert page.values[name] in ([], [""]), "a password was echoed back"
    for name in SECRET & set(sent or {}):
        if sent[name]:
            assert sent[name] not in html


def assert_kept(page, sent: dict, skip=()) -> None:
    for name, value in sent.items():
        if name in SECRET or name in skip or name in ("action", "csrf_token"):
            continue
        values = value if isinstance(value, list) else [value]
        shown = page.values.get(name)
        if shown is None:
            continue   # not on this page (a select without such an option, say)
        if all(isinstance(v, str) and v.isprintable() for v in values):
            assert shown == [v.strip() for v in values], (name, shown, values)


def draft_of(app, client) -> dict:
    """The draft row of this browser, as a plain dict."""
    cookie = client.get_cookie(drafts.DRAFT_COOKIE, path="/enroll")
    assert cookie is not None, "no draft cookie"
    with app.app_context():
        draft = db.session.get(Draft, hashlib.sha256(cookie.value.encode()).hexdigest())
        assert draft is not None
        return {c.key: getattr(draft, c.key) for c in Draft.__table__.columns}


def draft_dump(app) -> str:
    """Every column of every draft row, as text, as the database holds it."""
    with app.app_context():
        rows = db.session.execute(sa.text("SELECT * FROM draft")).all()
        db.session.rollback()
    assert rows
    return "\n".join(json.dumps([v if isinstance(v, (dict, list)) else str(v) for v in row],
                                ensure_ascii=False) for row in rows)


def provider_and_location(app, slug: str) -> tuple[str, str]:
    with app.app_context():
        practice = db.session.execute(sa.select(Practice).where(Practice.slug == slug)).scalar_one()
        return str(practice.providers[0].id), str(practice.locations[0].id)
