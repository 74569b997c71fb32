"""A request waiting for the email confirmation: the queue shows when the link was
sent and offers "Send the link again" (once a minute; audited), and the request page
corrects a mistyped address (audited; the old link stops working, a new one goes to
the new address)."""
import re

import sqlalchemy as sa

from audit import AuditEvent
from extensions import db
from tests.account.conftest import deliver
from tests.admin.conftest import request_of

LINK = re.compile(r"/enroll/confirm/([A-Za-z0-9_-]+)")


def _actions(app, request_id):
    with app.app_context():
        return [a for a in db.session.execute(sa.select(AuditEvent.action).where(
            AuditEvent.request_id == request_id)).scalars()]


def test_the_row_shows_when_the_link_was_sent_and_sends_it_again(
        app, make_staff, patient_request, smtp):
    req = patient_request(1, confirmed=False)
    deliver(app, smtp, req.email)
    staff = make_staff()
    queue = staff.get("/admin/").get_data(as_text=True)
    row = queue[queue.index(f'id="request-{req.id}"'):]
    row = row[:row.index("</tr>")]
    assert "Link sent" in row and "Send the link again" in row
    with app.app_context(), db.engine.begin() as conn:   # the first link: over a minute ago
        conn.execute(sa.text("UPDATE enrollment_request SET confirmation_sent_at = "
                             "datetime(confirmation_sent_at, '-2 minutes')")
                     if db.engine.dialect.name == "sqlite" else sa.text(
                         "UPDATE enrollment_request SET confirmation_sent_at = "
                         "confirmation_sent_at - interval '2 minutes'"))
    resp = staff.post(f"/admin/requests/{req.id}/resend-link", {"view": "row"}, htmx=True)
    assert resp.status_code == 200 and "A new confirmation link is on its way" in \
        resp.get_data(as_text=True)
    sent = deliver(app, smtp, req.email)
    assert any(LINK.search(m.part("plain")) for m in sent)
    again = staff.post(f"/admin/requests/{req.id}/resend-link", {"view": "row"}, htmx=True)
    assert again.status_code == 429 and "wait before sending another" in again.get_data(
        as_text=True)
    assert _actions(app, req.id).count("link_resent") == 1


def test_a_mistyped_address_is_corrected_and_the_old_link_stops(
        app, make_staff, patient_request, smtp, client):
    req = patient_request(1, confirmed=False)
    [old] = [LINK.search(m.part("plain")).group(1) for m in deliver(app, smtp, req.email)
             if LINK.search(m.part("plain"))]
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    bad = staff.post(f"/admin/requests/{req.id}/email", {"email": "not an address"},
                     htmx=True)
    assert bad.status_code == 422 and 'id="error-summary"' in bad.get_data(as_text=True)
    resp = staff.post(f"/admin/requests/{req.id}/email", {"email": "maria.right@example.org"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(
        "result=email_corrected")
    assert request_of(app, "maria.right@example.org").email_confirmed_at is None
    assert "changed" in client.get(f"/enroll/confirm/{old}").get_data(as_text=True).lower()
    [new] = [LINK.search(m.part("plain")).group(1)
             for m in deliver(app, smtp, "maria.right@example.org")
             if LINK.search(m.part("plain"))]
    assert new != old
    assert _actions(app, req.id).count("email_corrected") == 1
    with app.app_context():
        details = db.session.execute(sa.select(AuditEvent.detail)).scalars().all()
        assert not any("maria.right" in d for d in details)
