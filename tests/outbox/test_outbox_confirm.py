"""The confirmation link: a page with a button on GET (nothing changes), the POST
confirms once; reused, expired and unknown links get clear 4xx pages; a new link can be
asked for, at most once a minute per request.  Time moves through DB values."""
import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from database import write_transaction
from enrollment import confirmation
from enrollment.models import EmailConfirmation, EnrollmentRequest, utcnow
from extensions import db
from outbox import OutboxMessage, send_due
from tests.conftest import csrf_token
from tests.outbox.conftest import enroll

LINK = re.compile(r"http://localhost(/enroll/confirm/([A-Za-z0-9_-]+))")


def deliver_link(app, smtp) -> tuple[str, str]:
    """Send what is due; (path, token) from the latest message's plain-text part."""
    with app.app_context():
        send_due()
    path, token = LINK.search(smtp.messages[-1].part("plain")).groups()
    return path, token


def the_request(app) -> EnrollmentRequest:
    with app.app_context():
        return db.session.execute(sa.select(EnrollmentRequest)
                                  .execution_options(populate_existing=True)).scalar_one()


def shift(app, model, **columns):
    """Move time: set columns of every row of `model` (timestamps in the past)."""
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(model).values(**columns))


def test_the_link_shows_a_button_and_only_the_post_confirms(app, smtp, practices):
    enroll(app, practices["hillcrest-internal"], 1)
    path, token = deliver_link(app, smtp)
    with app.app_context():
        row = db.session.execute(sa.select(EmailConfirmation)).scalar_one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
        assert row.expires_at - row.created_at == timedelta(hours=72)
    scanner = app.test_client()   # a mail scanner: opens links, never posts
    for _ in range(2):
        page = scanner.get(path)
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
        html = page.get_data(as_text=True)
        assert "Confirm my email address" in html and f'action="{path}"' in html
    assert the_request(app).email_confirmed_at is None
    browser = app.test_client()
    html = browser.get(path).get_data(as_text=True)
    done = browser.post(path, data={"csrf_token": csrf_token(html)})
    assert done.status_code == 200
    assert "Your email address is confirmed" in done.get_data(as_text=True)
    confirmed = the_request(app).email_confirmed_at
    assert confirmed is not None
    with app.app_context():
        assert confirmation.approval_allowed(the_request(app))


def test_a_post_without_the_form_token_confirms_nothing(app, smtp, practices):
    enroll(app, practices["hillcrest-internal"], 2)
    path, _ = deliver_link(app, smtp)
    resp = app.test_client().post(path, data={})
    assert resp.status_code == 400
    assert the_request(app).email_confirmed_at is None


def test_a_reused_link_is_a_clear_410(app, smtp, practices):
    enroll(app, practices["hillcrest-internal"], 3)
    path, _ = deliver_link(app, smtp)
    client = app.test_client()
    token = csrf_token(client.get(path).get_data(as_text=True))
    assert client.post(path, data={"csrf_token": token}).status_code == 200
    first = the_request(app).email_confirmed_at
    again = client.post(path, data={"csrf_token": token})
    assert again.status_code == 410
    text = again.get_data(as_text=True)
    assert "already been used" in text and "You do not need a new one" in text
    assert client.get(path).status_code == 410
    assert the_request(app).email_confirmed_at == first


def test_an_expired_link_offers_a_new_one(app, smtp, practices):
    enroll(app, practices["hillcrest-internal"], 4)
    old_path, _ = deliver_link(app, smtp)
    shift(app, EmailConfirmation, expires_at=utcnow() - timedelta(seconds=1))
    shift(app, EnrollmentRequest, confirmation_sent_at=utcnow() - timedelta(hours=72))
    client = app.test_client()
    page = client.get(old_path)
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "This link has expired" in html and "Send me a new link" in html
    assert "(503) 555-0178" in html   # and the practice's phone
    refused = client.post(old_path, data={"csrf_token": csrf_token(html)})
    assert refused.status_code == 410 and the_request(app).email_confirmed_at is None
    sent = client.post(old_path + "/new-link", data={"csrf_token": csrf_token(html)})
    assert sent.status_code == 200 and "A new link is on its way" in sent.get_data(as_text=True)
    new_path, _ = deliver_link(app, smtp)
    assert new_path != old_path and len(smtp.messages) == 2
    assert smtp.messages[-1].message["Subject"] == "A new link to confirm your email address"
    assert client.get(old_path).status_code == 404   # replaced by the new link
    html = client.get(new_path).get_data(as_text=True)
    assert client.post(new_path, data={"csrf_token": csrf_token(html)}).status_code == 200
    assert the_request(app).email_confirmed_at is not None


@pytest.mark.parametrize("token", ["x" * 43, "short", "bad token!" * 5, "é" * 30])
def test_unknown_links_say_how_to_get_a_new_one(client, token):
    resp = client.get(f"/enroll/confirm/{token}")
    assert resp.status_code == 404
    assert "Send a new link" in resp.get_data(as_text=True)


def test_the_done_page_asks_for_a_new_link_at_most_once_a_minute(app, smtp, practices):
    patient = enroll(app, practices["riverside-family"], 5)
    done = patient.get("/enroll/done").get_data(as_text=True)
    assert "We sent an email to p…@example.org" in done and "Send a new link" in done
    assert "patient5@example.org" not in done
    deliver_link(app, smtp)
    too_soon = patient.post("/enroll/done/new-link", {})
    assert too_soon.status_code == 429
    assert "less than a minute ago" in too_soon.get_data(as_text=True)
    shift(app, EnrollmentRequest, confirmation_sent_at=utcnow() - timedelta(seconds=61))
    resent = patient.post("/enroll/done/new-link", {})
    assert resent.status_code == 200
    assert patient.post("/enroll/done/new-link", {}).status_code == 429
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar() == 2
        assert db.session.execute(sa.select(sa.func.count(EmailConfirmation.id))).scalar() == 1
    path, _ = deliver_link(app, smtp)
    html = patient.get(path).get_data(as_text=True)
    assert patient.post(path, {"csrf_token": csrf_token(html)}, token=False).status_code == 200
    assert "Your email address is confirmed." in patient.get("/enroll/done").get_data(
        as_text=True)
    confirmed = patient.post("/enroll/done/new-link", {})   # nothing left to confirm
    assert confirmed.status_code == 200
    assert "Your email address is confirmed" in confirmed.get_data(as_text=True)
    with app.app_context():   # nothing more to the patient (the practice hears of it)
        assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.to_addr == "patient5@example.org")).scalar() == 2


def test_the_done_page_button_needs_a_submitted_enrollment(client):
    from tests.wizard import Patient
    patient = Patient(client)
    resp = patient.post("/enroll/done/new-link", {})
    assert resp.status_code == 303


def test_approval_setting(app, practices, monkeypatch):
    enroll(app, practices["hillcrest-internal"], 6)
    req = the_request(app)
    with app.app_context():
        assert app.config["APPROVAL_REQUIRES_CONFIRMED_EMAIL"] is True
        assert not confirmation.approval_allowed(req)
        monkeypatch.setitem(app.config, "APPROVAL_REQUIRES_CONFIRMED_EMAIL", False)
        assert confirmation.approval_allowed(req)
