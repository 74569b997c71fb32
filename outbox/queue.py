"""enqueue(): render one message and add its row to the caller's session.

Nothing here commits or talks SMTP: the row is part of the caller's transaction, so a
change that rolls back leaves no email behind.  Every value that becomes a header is
cleaned here, once, so no input (a practice name, a subject, an address) can add a
header or a recipient, or make the message fail later in the sender.
"""
import re
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2_fragments.flask import render_block

from extensions import db

from .models import OutboxMessage, utcnow

SUBJECT_MAX, NAME_MAX, ADDRESS_MAX = 200, 120, 254
# Control characters, and the Unicode line and paragraph separators.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ADDRESS = re.compile(r'^[^\s@<>()\[\],;:"\\]+@[^\s@<>()\[\],;:"\\]+$')
# Address specials (RFC 5322) other than ".": kept out of display names altogether.
_SPECIALS = re.compile(r'[()<>\[\]:;@\\,"]')


def clean_text(value, limit: int) -> str:
    """One line of text: control characters become spaces, runs of space one, bounded."""
    text = " ".join(_BREAKS.sub(" ", str(value or "")).split())
    return text[:limit].rstrip()


def clean_name(value, limit: int = NAME_MAX) -> str:
    """A display name (the practice's, in From): one line, without address specials.

    Python's email package re-serialises a From header and drops the quotes around a
    name, so 'Clinic <evil@example.com>, x' could become a second address; without
    the specials nothing in a name can be read as an address."""
    return clean_text(_SPECIALS.sub(" ", clean_text(value, limit * 2)), limit)


def clean_address(value) -> str:
    """The one plain address before any line break or control character, else ''.

    "a@example.org\\r\\nBcc: evil@example.com" becomes "a@example.org": what follows a
    line break never reaches a header or the SMTP envelope."""
    first = _BREAKS.split(str(value or ""), 1)[0].strip()
    return first if len(first) <= ADDRESS_MAX and _ADDRESS.match(first) else ""


def message_domain() -> str:
    sender = clean_address(current_app.config.get("MAIL_DEFAULT_SENDER"))
    return sender.rsplit("@", 1)[1] if sender else "portal.invalid"


def render_message(template: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) from templates/email/<template>.txt and .html.

    The .txt file holds two blocks, `subject` and `body`; the .html file is the HTML part.
    """
    text_name, html_name = f"email/{template}.txt", f"email/{template}.html"
    subject = render_block(text_name, "subject", **context)
    text = render_block(text_name, "body", **context).strip() + "\n"
    html = render_template(html_name, **context)
    return subject, text, html


def enqueue(template: str, *, to: str, context: dict, from_name: str = "",
            reply_to: str = "", locale: str = "en") -> OutboxMessage:
    """Render `template` in `locale` and add its outbox row to the current transaction.

    Call it inside the caller's write transaction (database.write_transaction); it
    neither flushes nor commits.  `to` must be one valid address (ValueError otherwise:
    a programming error, the forms validate addresses); a `reply_to` that is not one
    is dropped rather than allowed to fail the message.
    """
    if not db.session().in_transaction():
        raise RuntimeError("enqueue() belongs inside the caller's write transaction")
    recipient = clean_address(to)
    if not recipient:
        raise ValueError("enqueue() needs one valid recipient address")
    with force_locale(locale):
        subject, text, html = render_message(template, context)
    message = OutboxMessage(
        message_id=make_msgid(domain=message_domain()), template=template, locale=locale,
        to_addr=recipient, from_name=clean_name(from_name),
        reply_to=clean_address(reply_to), subject=clean_text(subject, SUBJECT_MAX) or "-",
        body_text=text, body_html=html, next_attempt_at=utcnow())
    db.session.add(message)
    return message
