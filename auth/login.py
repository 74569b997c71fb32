"""The ONE Flask-Login user loader, dispatching on the id's kind ("staff:7",
"patient:42") to loaders that blueprints register, and the ONE guard for "signed in as
this kind of user".  Imports no blueprint.

    register_kind("staff", load_staff, idle_config="STAFF_IDLE_MINUTES",
                  lifetime_config="STAFF_SESSION_HOURS",
                  login_endpoint="admin.login", blueprints=("admin",))
    @login_required("staff")   # signed out, or another kind: to that blueprint's sign-in
    sign_in(user)    # rotates the session: a fresh token and a fresh cookie session
    sign_out()       # ends the row: a copied cookie is worthless afterwards

Half signed in (the password was right, a second factor is still due):
    begin_pending(user)   # no signed-in user and no session row, only a marker in the
                          # cookie session, good for PENDING_MINUTES
    pending("staff")      # the marker (a dict), or None when absent or expired
    update_pending(...)   # values the next step needs, kept in the marker
    sign_in(user)         # the whole sign-in: the marker goes with the old session
"""
from dataclasses import dataclass
from datetime import timedelta, timezone
from functools import wraps
from typing import Callable

from flask import Flask, abort, current_app, g, request, session, url_for
from flask_login import current_user, login_user, logout_user

from extensions import login_manager
from htmx import client_redirect
from seclog import ACCESS_DENIED, SIGN_IN_SUCCEEDED, SIGNED_OUT, actor_ids, security_event

from . import sessions
from .clock import utcnow
from .tokens import digest

SESSION_KEY = "sid"
PENDING_KEY = "pending"
PENDING_MINUTES = 10


@dataclass(frozen=True)
class Kind:
    name: str
    loader: Callable[[int], object]
    idle_config: str
    lifetime_config: str
    login_endpoint: str


KINDS: dict[str, Kind] = {}
LOGIN_BY_BLUEPRINT: dict[str, str] = {}


def register_kind(name: str, loader: Callable[[int], object], *, idle_config: str,
                  lifetime_config: str, login_endpoint: str, blueprints: tuple = ()) -> None:
    """`idle_config` names the setting of minutes without a request, `lifetime_config`
    the hours after sign-in, after which a session of this kind ends."""
    KINDS[name] = Kind(name, loader, idle_config, lifetime_config, login_endpoint)
    for blueprint in blueprints:
        LOGIN_BY_BLUEPRINT[blueprint] = login_endpoint


def idle_timeout(kind: str) -> timedelta:
    return timedelta(minutes=current_app.config[KINDS[kind].idle_config])


def lifetime(kind: str) -> timedelta:
    return timedelta(hours=current_app.config[KINDS[kind].lifetime_config])


def load_user(user_id: str):
    kind, _, raw = (user_id or "").partition(":")
    entry = KINDS.get(kind)
    if entry is None or not raw.isdigit():
        return None
    token = session.get(SESSION_KEY)
    if not sessions.check(token, kind, int(raw), idle_timeout(kind), lifetime(kind)):
        g.auth_session_ended = bool(token)
        return None
    user = entry.loader(int(raw))
    if user is None:   # disabled or gone since: the session ends with it
        sessions.end(token)
        g.auth_session_ended = True
    return user


def unauthorized():
    """Signed out (or never signed in): to the sign-in page of this blueprint; an htmx
    request gets HX-Redirect, never a sign-in page swapped into a table cell."""
    endpoint = LOGIN_BY_BLUEPRINT.get(request.blueprint or "")
    security_event(ACCESS_DENIED, reason="session_ended" if g.get("auth_session_ended")
                   else "not_signed_in", **actor_ids(current_user))
    if endpoint is None:
        abort(401)
    args = {"expired": 1} if g.get("auth_session_ended") else {}
    return client_redirect(url_for(endpoint, **args))


def signed_in_as(kind: str) -> bool:
    """The current user is signed in, and is a `kind` ("staff", "patient")."""
    return current_user.is_authenticated and getattr(current_user, "kind", "") == kind


def login_required(kind: str):
    """A view decorator: signed in as a `kind`, else the blueprint's sign-in page (an
    htmx request gets HX-Redirect; see unauthorized)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not signed_in_as(kind):
                return login_manager.unauthorized()
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _fresh_cookie_session() -> None:
    """The old session row ends and the cookie session starts empty (rotation)."""
    old = session.get(SESSION_KEY)
    if old:
        sessions.end(old)
    logout_user()
    session.clear()


def sign_in(user) -> None:
    """A new session: the old cookie session (and any half sign-in) is dropped and a
    new token issued."""
    _fresh_cookie_session()
    session[SESSION_KEY] = sessions.begin(user.kind, user.id, request.remote_addr or "")
    login_user(user)
    security_event(SIGN_IN_SUCCEEDED, **actor_ids(user))


def password_mark(user) -> str:
    """A short fingerprint of the stored password hash: a half sign-in made with a
    password that has changed since is void."""
    return digest(user.password_hash or "")[:16]


def _epoch() -> int:
    return int(utcnow().replace(tzinfo=timezone.utc).timestamp())


def begin_pending(user) -> None:
    """The password was right; a second factor is due.  Whoever was signed in in this
    browser is signed out (the session rotates here too); no user is signed in until
    sign_in().  Nothing but the marker says who: no guard lets it through."""
    _fresh_cookie_session()
    session[PENDING_KEY] = {"kind": user.kind, "id": user.id, "pw": password_mark(user),
                            "until": _epoch() + PENDING_MINUTES * 60}


def pending(kind: str) -> dict | None:
    """The half sign-in of a `kind`, or None (none, another kind's, expired; an expired
    one stays until end_pending, so the caller can say it expired)."""
    marker = session.get(PENDING_KEY)
    if not isinstance(marker, dict) or marker.get("kind") != kind:
        return None
    if not isinstance(marker.get("until"), int) or marker["until"] <= _epoch():
        return None
    return marker


def update_pending(renew: bool = False, **values) -> None:
    """Keep `values` in the marker (None removes one); `renew`: PENDING_MINUTES again."""
    marker = dict(session.get(PENDING_KEY) or {})
    if not marker:
        return
    for key, value in values.items():
        if value is None:
            marker.pop(key, None)
        else:
            marker[key] = value
    if renew:
        marker["until"] = _epoch() + PENDING_MINUTES * 60
    session[PENDING_KEY] = marker


def end_pending() -> None:
    session.pop(PENDING_KEY, None)


def sign_out() -> None:
    security_event(SIGNED_OUT, **actor_ids(current_user))
    sessions.end(session.get(SESSION_KEY))
    logout_user()
    session.clear()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
