"""The human check ("I'm not a robot"): a self-hosted ALTCHA proof of work, no third party.

Two paths, both through the same real checkbox on the insurance step:

* Proof of work (JavaScript with Web Crypto): the page carries a signed, expiring
  ALTCHA v2 challenge (PBKDF2/SHA-256); static/js/human_check.js finds the counter and puts the
  payload in the form.  The server verifies it with the `altcha` package and records the
  challenge's nonce until it expires, so a solution is accepted once, on any app server.
  Stops: bots that do not run JavaScript and scripted floods (each try costs real CPU).
  Does not stop: a determined bot that runs a browser and pays the CPU.
* Fallback (no JavaScript, or no Web Crypto on plain HTTP): the ticked checkbox and a
  signed token from the page that must be at least a few seconds old and not expired,
  used once, with a per-address rate limit.  Stops: form spam that posts instantly or
  in volume from one address.  Does not stop: a patient bot that waits and spreads out.
  A post that came too soon is told how many seconds are left, and its page keeps the
  same token and the box ticked (the token is not used up), so waiting and selecting
  Next again works.

Once a draft has passed, it is not asked again for its life (Draft.human_checked_at):
Back and Edit show a note instead of the box.
"""
import base64
import binascii
import json
import math
import secrets
from datetime import datetime, timedelta, timezone

import altcha
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l, ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from auth.clock import utcnow
from database import write_transaction
from extensions import db
from rate_limits import allowed, client_key, per_client, wait_text

ALGORITHM = "PBKDF2/SHA-256"
# The form's fields: the proof of work (JavaScript), the fallback's token, the checkbox.
FIELD_PROOF, FIELD_TOKEN, FIELD_BOX = ("human_check_proof", "human_check_token",
                                       "human_check")
SALT = "human-check-fallback"   # signs the fallback token; also the rate limit's key

MESSAGES = {
    "missing": _l("Select “I'm not a robot” before you select Next."),
    "invalid": _l("The “I'm not a robot” check did not work. Select the box again."),
    "expired": _l("The “I'm not a robot” check expired. Select the box again."),
    "reused": _l("That “I'm not a robot” check was already used. Select the box again."),
    "too_fast": _l("Please take a moment to check the page, then select Next again."),
    "limited": _l("Too many tries from this connection."),
}


class UsedChallenge(db.Model):
    """Challenges and fallback tokens already accepted, kept until they expire."""
    __tablename__ = "used_challenge"
    nonce: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


def enabled() -> bool:
    return current_app.config["HUMAN_CHECK"]


def _secret() -> str:
    return "altcha:" + current_app.config["SECRET_KEY"]


def passed(draft) -> bool:
    """The draft passed the check already (or the check is off): not asked again."""
    return not enabled() or (draft is not None and draft.human_checked_at is not None)


def widget(keep_token: str | None = None) -> dict:
    """What the template needs: a fresh challenge (JSON) and a fallback token, or
    `keep_token` (a post that came too soon: the same token, the box still ticked)."""
    cfg = current_app.config
    expires = utcnow() + timedelta(seconds=cfg["HUMAN_CHECK_EXPIRES_SECONDS"])
    challenge = altcha.create_challenge(
        ALGORITHM, cfg["HUMAN_CHECK_COST"], key_prefix=cfg["HUMAN_CHECK_KEY_PREFIX"],
        expires_at=int(expires.replace(tzinfo=timezone.utc).timestamp()),
        hmac_secret=_secret())
    serializer = URLSafeTimedSerializer(cfg["SECRET_KEY"], salt=SALT)
    return {"challenge": json.dumps(challenge.to_dict(), separators=(",", ":")),
            "token": keep_token or serializer.dumps(secrets.token_hex(16)),
            "ticked": keep_token is not None}


def already_passed() -> dict:
    """The template's note instead of the box: this draft passed the check before."""
    return {"done": True}


def check(form) -> str | None:
    """None when the patient passed; otherwise a MESSAGES code."""
    payload = (form.get(FIELD_PROOF) or "").strip()
    if payload:
        return _check_proof(payload)
    return _check_fallback(form)


def message(code: str, form=None) -> str:
    """What the patient reads; "too_fast" says how many seconds are left."""
    if code == "too_fast" and form is not None:
        left = seconds_left(form)
        return ngettext("Wait %(num)d more second, then select Next.",
                        "Wait %(num)d more seconds, then select Next.", left)
    if code == "limited":
        return f"{MESSAGES[code]} {wait_text()}"
    return str(MESSAGES[code])


def _signed_at(form) -> datetime | None:
    """When the posted fallback token was made, if it is ours and still valid."""
    cfg = current_app.config
    serializer = URLSafeTimedSerializer(cfg["SECRET_KEY"], salt=SALT)
    try:
        return serializer.loads(form.get(FIELD_TOKEN) or "",
                                max_age=cfg["HUMAN_CHECK_EXPIRES_SECONDS"],
                                return_timestamp=True)[1]
    except BadSignature:
        return None


def seconds_left(form) -> int:
    """Whole seconds until the posted token is old enough (at least 1)."""
    signed_at = _signed_at(form)
    if signed_at is None:
        return 1
    age = (datetime.now(timezone.utc) - signed_at).total_seconds()
    return max(1, math.ceil(current_app.config["HUMAN_CHECK_FALLBACK_MIN_SECONDS"] - age))


def _check_proof(payload: str) -> str | None:
    if len(payload) > 4000:
        return "invalid"
    try:
        params = json.loads(base64.b64decode(payload))["challenge"]["parameters"]
        nonce, expires = str(params["nonce"]), int(params["expiresAt"])
        result = altcha.verify_solution(payload, _secret())
    except (ValueError, KeyError, TypeError, binascii.Error, RecursionError):
        return "invalid"
    if result.expired:
        return "expired"
    if not result.verified:
        return "invalid"
    until = datetime.fromtimestamp(expires, timezone.utc).replace(tzinfo=None)
    return _use_once("pow:" + nonce[:40], until)


def _check_fallback(form) -> str | None:
    cfg = current_app.config
    if form.get(FIELD_BOX) != "y":
        return "missing"
    serializer = URLSafeTimedSerializer(cfg["SECRET_KEY"], salt=SALT)
    try:
        nonce, signed_at = serializer.loads(form.get(FIELD_TOKEN) or "",
                                            max_age=cfg["HUMAN_CHECK_EXPIRES_SECONDS"],
                                            return_timestamp=True)
    except SignatureExpired:
        return "expired"
    except BadSignature:
        return "missing"
    if not allowed(per_client("HUMAN_CHECK_FALLBACK_LIMIT")(), SALT, client_key()):
        return "limited"
    age = (datetime.now(timezone.utc) - signed_at).total_seconds()
    if age < cfg["HUMAN_CHECK_FALLBACK_MIN_SECONDS"]:
        return "too_fast"
    until = signed_at.replace(tzinfo=None) + timedelta(seconds=cfg["HUMAN_CHECK_EXPIRES_SECONDS"])
    return _use_once("tok:" + str(nonce)[:40], until)


def _use_once(nonce: str, until: datetime) -> str | None:
    try:
        with write_transaction():
            db.session.add(UsedChallenge(nonce=nonce, expires_at=until))
    except IntegrityError:
        return "reused"
    return None


def purge_expired(now=None) -> int:
    with write_transaction():
        result = db.session.execute(
            sa.delete(UsedChallenge).where(UsedChallenge.expires_at <= (now or utcnow())))
    return result.rowcount or 0
