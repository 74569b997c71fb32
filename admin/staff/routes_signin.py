"""Staff sign-in (its first step, the password), sign-out and "stay signed in".  Thin
views: the check is auth.credentials' (through accounts.authenticate); a right password
only half signs in (mfa.start): the code step is routes_mfa's."""
from flask import redirect, request, url_for
from flask_babel import gettext as _

from auth.credentials import refusal_message
from auth.login import sign_out
from extensions import limiter
from htmx import client_redirect, render
from rate_limits import per_client

from .. import bp
from ..core import staff_required
from . import mfa
from .accounts import OK, authenticate
from .forms import LoginForm


def _failed(resp) -> bool:
    return resp.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(per_client("STAFF_LOGIN_LIMIT"), methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        attempt = authenticate(form.email.data, form.password.data)
        if attempt.result == OK:
            return redirect(url_for(mfa.start(attempt.user)), 303)
        form.form_errors.append(refusal_message(
            attempt, _("This account is locked after too many failed sign-ins. Use "
                       "\"Forgot your password?\" or ask your practice's administrator "
                       "to reset your access."),
            _("The email address or password is not right.")))
    if form.errors or form.form_errors:
        status = 422
    return render("admin/login.html", "content", status=status, form=form,
                  expired=request.args.get("expired") == "1",
                  heading=_("Sign in to the staff dashboard"))


@bp.post("/logout")
def logout():
    sign_out()
    return client_redirect(url_for("admin.login"))


@bp.post("/session")
@staff_required
def keepalive():
    """'Stay signed in': the user loader has just renewed last_seen_at."""
    return "", 204
