"""The outbox at rest: a waiting email's bodies are stored encrypted, a sent one's are
empty, and a failure keeps the exception's class and SMTP code only (a server's reply
may quote the recipient or the message)."""
import sqlalchemy as sa

import crypto
from extensions import db
from outbox import FAILED, SENT, OutboxMessage, send_due
from tests.outbox.test_outbox_delivery import queue, rows


def stored_bodies(app) -> list[tuple[str, str, str]]:
    """(status, body_text, body_html) as the database holds them: tokens, not text."""
    with app.app_context():
        raw = sa.type_coerce
        return [tuple(r) for r in db.session.execute(
            sa.select(OutboxMessage.status, raw(OutboxMessage.body_text, sa.Text),
                      raw(OutboxMessage.body_html, sa.Text)).order_by(OutboxMessage.id))]


def test_a_waiting_body_is_encrypted_and_a_sent_one_is_empty(app, smtp):
    queue(app, 1)
    [row] = rows(app)
    [(status, text, html)] = stored_bodies(app)
    assert status == "pending" and row.body_text and row.body_html
    with app.app_context():
        keys = crypto.keys()
        assert keys.decrypt(text) == row.body_text and keys.decrypt(html) == row.body_html
    assert row.body_text not in text and "<" not in html
    with app.app_context():
        send_due()
    assert stored_bodies(app) == [(SENT, "", "")]
    assert len(smtp.messages) == 1 and "Hello A," in smtp.messages[0].part("plain")


def test_a_failure_keeps_only_the_class_and_the_code(app, smtp):
    smtp.handler.refuse.add("p0@example.org")
    queue(app, 1)
    with app.app_context():
        send_due()
    [row] = rows(app)
    assert row.status == FAILED and row.last_error == "SMTPRecipientsRefused 550"
