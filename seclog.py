"""Security events: ONE JSON object per line, one line per event, on the logger
`portal.security`, written to stderr (gunicorn and `flask run` alike).

    from seclog import security_event, SIGN_IN_FAILED, actor_ids
    security_event(SIGN_IN_FAILED, reason="wrong", **actor_ids(account))

A line names accounts and requests by id, never by what a person typed: the keyword
arguments are refused (TypeError) unless their name is in FIELDS, ids must be whole
numbers and the other fields short lower-case codes.  So nobody can log a username, an
email address, a name or a search term by accident.  Every line also carries the
time (UTC), the event, the HTTP request's id (`http_request_id`: the `X-Request-ID`
answered to the client; `request_id` is an enrollment request's), the endpoint (a route's name, never its path: paths can hold tokens) and the
client's address.

Each HTTP request gets an id here (before_request): a proxy's `X-Request-ID` is taken
only behind a trusted proxy (TRUSTED_PROXIES) and only when it is a short safe token;
otherwise a new random one.  The response carries it back in `X-Request-ID`."""
import json
import logging
import re
import secrets
import sys
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request
from flask_login import current_user

LOGGER = "portal.security"
HEADER = "X-Request-ID"
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
CODE = re.compile(r"[a-z][a-z0-9_.]{0,39}")

# --- the event names (README "Logs") -------------------------------------------------
SIGN_IN_SUCCEEDED = "sign_in_succeeded"   # a session began (staff: after the second factor)
SIGN_IN_FAILED = "sign_in_failed"         # reason: unknown, wrong, refused
SIGN_IN_LOCKED = "sign_in_locked"         # a try on an account locked by failures
ACCOUNT_LOCKED = "account_locked"         # the failure that locked the account
SIGN_IN_THROTTLED = "sign_in_throttled"   # a try during a wait: refused, not looked at
THROTTLE_STARTED = "throttle_started"     # the failure that starts the waits (owner told)
SIGNED_OUT = "signed_out"
RATE_LIMITED = "rate_limited"             # a 429: too many tries from an address or for a name
ACCESS_DENIED = "access_denied"           # reason: not_signed_in, session_ended, forbidden,
                                          # other_practice
DECISION = "decision"                     # decision: approved, rejected, needs_info,
                                          # appointment_approved, appointment_declined
MFA_ENROLLED = "mfa_enrolled"             # a staff member set up their second factor
MFA_FAILED = "mfa_failed"                 # a wrong or reused code (reason)
MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used"
MFA_RESET = "mfa_reset"                   # by an admin (staff_id: who) or the CLI
RECOVERY_LINK_SENT = "recovery_link_sent"  # "forgot password": a link to an account
RECOVERY_FAILED = "recovery_failed"       # wrong answers to the security questions
RECOVERY_LOCKED = "recovery_locked"       # too many wrong answers
PASSWORD_RESET = "password_reset"         # a password set again through a link
PASSWORD_CHANGED = "password_changed"     # by the signed-in user, knowing the old one
KEY_ROTATED = "key_rotated"               # `keys rotate` (rows: how many changed)

EVENTS = frozenset({
    SIGN_IN_SUCCEEDED, SIGN_IN_FAILED, SIGN_IN_LOCKED, ACCOUNT_LOCKED, SIGN_IN_THROTTLED,
    THROTTLE_STARTED, SIGNED_OUT,
    RATE_LIMITED, ACCESS_DENIED, DECISION, MFA_ENROLLED, MFA_FAILED,
    MFA_RECOVERY_CODE_USED, MFA_RESET, RECOVERY_LINK_SENT, RECOVERY_FAILED,
    RECOVERY_LOCKED, PASSWORD_RESET, PASSWORD_CHANGED, KEY_ROTATED})

# --- what a line may carry ---------------------------------------------------------------
IDS = frozenset({"staff_id", "patient_id", "request_id", "practice_id", "appointment_id",
                 "target_staff_id"})           # whole numbers
COUNTS = frozenset({"rows", "status"})         # whole numbers
CODES = frozenset({"kind", "reason", "decision", "key_version"})   # short codes
FIELDS = IDS | COUNTS | CODES


def security_event(name: str, /, **fields) -> dict:
    """Log one event; returns what was logged.  Fields that are None are left out."""
    if name not in EVENTS:
        raise ValueError(f"unknown security event {name!r} (seclog.EVENTS)")
    line = {"ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"), "event": name, **_request_fields()}
    for key, value in fields.items():
        if key not in FIELDS:
            raise TypeError(f"{key!r} may not be logged: a security event names ids and "
                            f"codes only (seclog.FIELDS)")
        if value is None:
            continue
        line[key] = _checked(key, value)
    logging.getLogger(LOGGER).info(json.dumps(line, separators=(",", ":")),
                                   extra={"security_event": line})
    return line


def _checked(key: str, value):
    if key in CODES:
        if not isinstance(value, str) or not CODE.fullmatch(value):
            raise ValueError(f"{key} must be a short lower-case code")
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be a whole number")
    return value


def actor_ids(user) -> dict:
    """The ids naming a signed-in user (or one being signed in): kind, staff_id or
    patient_id, practice_id.  Empty for None or an anonymous user."""
    kind = getattr(user, "kind", None)
    if kind not in ("staff", "patient") or getattr(user, "id", None) is None:
        return {}
    return {"kind": kind, f"{kind}_id": user.id,
            "practice_id": getattr(user, "practice_id", None)}


def _request_fields() -> dict:
    if not has_request_context():
        return {}
    fields = {"http_request_id": g.get("request_id"), "endpoint": request.endpoint,
              "ip": (request.remote_addr or "")[:45] or None}
    return {key: value for key, value in fields.items() if value is not None}


# --- wiring ------------------------------------------------------------------------------

class _Stderr(logging.StreamHandler):
    """A handler writing to whatever sys.stderr is now (as logging's last resort does),
    so a redirected or captured stderr gets the lines too."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure_logging(sql_echo: bool = False) -> logging.Logger:
    """The security logger: INFO and up, its own stderr handler writing the message (the
    JSON line) as it is, not handed on to the root logger (no line twice).  SQLAlchemy's
    statement logger stays at WARNING unless SQL echo is asked for: its INFO and DEBUG
    lines carry parameters and rows, that is patients' data.  Idempotent."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not any(isinstance(h, _Stderr) for h in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    if not sql_echo:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    return logger


def _incoming_id() -> str:
    """serving.TrustedProxies drops the header unless a trusted proxy sent it."""
    given = request.headers.get(HEADER, "")
    return given if SAFE_ID.fullmatch(given) else secrets.token_urlsafe(12)


def init_app(app: Flask) -> None:
    configure_logging(bool(app.config.get("SQLALCHEMY_ECHO")))

    @app.before_request
    def _request_id():
        g.request_id = _incoming_id()

    @app.after_request
    def _answer(resp):
        if "request_id" in g:
            resp.headers[HEADER] = g.request_id
        if resp.status_code == 429:
            security_event(RATE_LIMITED, status=429, **actor_ids(current_user))
        elif resp.status_code == 403:
            security_event(ACCESS_DENIED, reason="forbidden", status=403,
                           **actor_ids(current_user))
        return resp
