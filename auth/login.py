"""The ONE Flask-Login user loader, dispatching on the id's kind ("staff:7",
"patient:42") to loaders that blueprints register, and the ONE guard for "signed in as
this kind of user".  Imports no blueprint.

    register_kind("staff", load_staff, idle_config="STAFF_IDLE_MINUTES",
                  login_endpoint="admin.login", blueprints=("admin",))
    @login_required("staff")   # signed out, or another kind: to that blueprint's sign-in
    sign_in(user)    # rotates the session: a fresh token and a fresh cookie session
    sign_out()       # ends the row: a copied cookie is worthless afterwards
"""
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Callable

from flask import Flask, abort, current_app, g, request, session, url_for
from flask_login import current_user, login_user, logout_user

from extensions import login_manager
from htmx import client_redirect
from seclog import ACCESS_DENIED, SIGN_IN_SUCCEEDED, SIGNED_OUT, actor_ids, security_event

from . import sessions

SESSION_KEY = "sid"


@dataclass(frozen=True)
class Kind:
    name: str
    loader: Callable[[int], object]
    idle_config: str
    login_endpoint: str


KINDS: dict[str, Kind] = {}
LOGIN_BY_BLUEPRINT: dict[str, str] = {}


def register_kind(name: str, loader: Callable[[int], object], *, idle_config: str,
                  login_endpoint: str, blueprints: tuple = ()) -> None:
    KINDS[name] = Kind(name, loader, idle_config, login_endpoint)
    for blueprint in blueprints:
        LOGIN_BY_BLUEPRINT[blueprint] = login_endpoint


def idle_timeout(kind: str) -> timedelta:
    return timedelta(minutes=current_app.config[KINDS[kind].idle_config])


def load_user(user_id: str):
    kind, _, raw = (user_id or "").partition(":")
    entry = KINDS.get(kind)
    if entry is None or not raw.isdigit():
        return None
    token = session.get(SESSION_KEY)
    if not sessions.check(token, kind, int(raw), idle_timeout(kind)):
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


def sign_in(user) -> None:
    """A new session: the old cookie session is dropped and a new token issued."""
    old = session.get(SESSION_KEY)
    if old:
        sessions.end(old)
    session.clear()
    session[SESSION_KEY] = sessions.begin(user.kind, user.id, request.remote_addr or "")
    login_user(user)
    security_event(SIGN_IN_SUCCEEDED, **actor_ids(user))


def sign_out() -> None:
    security_event(SIGNED_OUT, **actor_ids(current_user))
    sessions.end(session.get(SESSION_KEY))
    logout_user()
    session.clear()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
