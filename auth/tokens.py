"""Single-use, expiring links: email confirmation (enrollment/confirmation.py), staff
invitations and resets (admin/invitations.py), patient recovery (account/recovery.py).

The link carries a random 256-bit token; the database holds only its SHA-256.  A link
table has `token_hash`, `expires_at` and `used_at`; `lookup` says what a link is,
changing nothing (opening a link shows a page; only its POST uses it)."""
import hashlib
import re
import secrets

import sqlalchemy as sa

from extensions import db

from .clock import utcnow

VALID, USED, EXPIRED, UNKNOWN = "valid", "used", "expired", "unknown"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def digest(token: str) -> str:
    """The SHA-256 (hex) stored for a token, or used as a key for what was typed."""
    return hashlib.sha256(token.encode()).hexdigest()


def new() -> tuple[str, str]:
    """A fresh token for the link, and the digest to store."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def lookup(model, token: str, *where) -> tuple[str, object | None]:
    """VALID, USED, EXPIRED or UNKNOWN (malformed, or no row matching `where` too), and
    the row."""
    if not token or not TOKEN_RE.match(token):
        return UNKNOWN, None
    row = db.session.execute(
        sa.select(model).where(model.token_hash == digest(token), *where)
        .execution_options(populate_existing=True)).scalar()
    if row is None:
        return UNKNOWN, None
    if row.used_at is not None:
        return USED, row
    return (VALID if row.expires_at > utcnow() else EXPIRED), row
