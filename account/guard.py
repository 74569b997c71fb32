"""Who may see the patient pages: a signed-in patient; the account page: approved ones."""
from functools import wraps

from flask import g, redirect, url_for
from flask_login import current_user

from auth.login import login_required, signed_in_as

from . import bp
from .language import keep_language
from .patients import request_of

PATIENT = "patient"


def patient_required(view):
    """Signed in as a patient (auth.login.login_required); g.enrollment is the
    account's request (or None)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        g.enrollment = request_of(current_user)
        keep_language(current_user, g.enrollment)
        return view(*args, **kwargs)
    return login_required(PATIENT)(wrapped)


def approved_required(view):
    """The account page and its changes: a pending patient goes to the status page."""
    @wraps(view)
    @patient_required
    def wrapped(*args, **kwargs):
        if not current_user.active:
            return redirect(url_for("account.status"), 303)
        return view(*args, **kwargs)
    return wrapped


def landing() -> str:
    """Where a signed-in patient belongs: the account page once approved."""
    return url_for("account.home" if current_user.active else "account.status")


@bp.after_request
def _no_store(resp):
    """Patient data: never cached, by the browser or anything between."""
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.context_processor
def _patient():
    return {"patient": current_user if signed_in_as(PATIENT) else None}
