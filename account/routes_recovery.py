"""Recovery pages: forgot password (a link by email, two security questions, a new
password), forgot username.  Thin views: the rules are in account/recovery.py.

The "forgot" pages answer the same, status and body, whether anything matched, and do
not echo what was typed.  A link opens a page and changes nothing; only its POST uses
it.  Each POST is limited (PATIENT_RECOVERY_LIMIT) per client address and per
identifier typed (or per link): the keys of the latter are hashes, since Flask-Limiter
logs the key of a breached limit."""
from flask import current_app, request, url_for
from flask_babel import gettext as _, ngettext

from auth.tokens import digest
from enrollment.codes import SECURITY_QUESTIONS
from enrollment.emails import display_phone
from errors import error_page
from extensions import limiter
from htmx import advance, render
from rate_limits import per_client, per_name

from . import bp, recovery as rec
from .forms_recovery import ForgotPasswordForm, ForgotUsernameForm, recover_form
from .patients import AccountContext, request_of

LINK_STATUS = {rec.VALID: 200, rec.WRONG: 422, rec.USED: 410, rec.EXPIRED: 410,
               rec.UNKNOWN: 404, rec.LOCKED: 423}
ENDPOINTS = {"account.forgot_password", "account.forgot_username", "account.use_recovery"}


_limit = per_client("PATIENT_RECOVERY_LIMIT")        # per client address
_named = per_name("PATIENT_RECOVERY_LIMIT")          # per username, address or link


def _hashed(kind: str, value: str) -> str:
    return f"patient-{kind}:" + digest(value.strip().lower()[:254])


def _identifier_key() -> str:
    return _hashed("forgot-password", request.form.get("identifier") or "")


def _email_key() -> str:
    return _hashed("forgot-username", request.form.get("email") or "")


def _link_key() -> str:
    return _hashed("recover", request.view_args.get("token", ""))


@bp.errorhandler(429)
def _too_many(exc):
    """A limit of a recovery page: its own plain page.  Others: the app's page."""
    if request.endpoint not in ENDPOINTS:
        return error_page(429)
    return render("account/recover_limited.html", "content", status=429,
                  heading=_("Too many tries for now"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_named, methods=["POST"], key_func=_identifier_key)
@limiter.limit(_limit, methods=["POST"])          # and per client address
def forgot_password():
    form = ForgotPasswordForm()
    sent = form.validate_on_submit()
    if sent:
        rec.ask_password_link(form.identifier.data)
        form = ForgotPasswordForm(formdata=None)   # nothing typed is echoed
    return render("account/forgot_password.html", "content",
                  status=422 if form.errors else 200, form=form, sent=sent,
                  minutes=current_app.config["RECOVERY_LINK_MINUTES"],
                  heading=_("Forgot your password?"))


@bp.route("/forgot-username", methods=["GET", "POST"])
@limiter.limit(_named, methods=["POST"], key_func=_email_key)
@limiter.limit(_limit, methods=["POST"])
def forgot_username():
    form = ForgotUsernameForm()
    sent = form.validate_on_submit()
    if sent:
        rec.ask_usernames(form.email.data)
        form = ForgotUsernameForm(formdata=None)
    return render("account/forgot_username.html", "content",
                  status=422 if form.errors else 200, form=form, sent=sent,
                  heading=_("Forgot your username?"))


def _heading(state: str) -> str:
    return {rec.USED: _("This link has already been used"),
            rec.EXPIRED: _("This link has expired"),
            rec.UNKNOWN: _("This link is not valid"),
            rec.LOCKED: _("Recovery is locked for now")}.get(state, _("Choose a new password"))


def _practice(account) -> dict:
    practice = account.practice
    return {"name": practice.name, "phone": display_phone(practice.phone),
            "zone": practice.timezone}


def _link_page(state: str, token: str, row=None, form=None, outcome=None):
    cfg = current_app.config
    ctx = {"state": state, "action": url_for("account.use_recovery", token=token),
           "form": form, "tries": cfg["RECOVERY_TRIES"],
           "lock_minutes": cfg["RECOVERY_LOCK_MINUTES"], "until": None, "tries_left": 0,
           "practice": _practice(row.account) if row is not None else None}
    if outcome is not None:
        ctx.update(until=outcome.until,
                   tries_left=outcome.tries_left)
    return render("account/recover.html", "content", status=LINK_STATUS[state],
                  heading=_heading(state), **ctx)


def _form(row):
    ctx = AccountContext(row.account, request_of(row.account))
    return recover_form(ctx, [SECURITY_QUESTIONS.get(code, code) for code in row.questions])


def _state(token: str):
    """The link's state, LOCKED (with its end) when the account's recovery is."""
    state, row = rec.lookup(token)
    until = rec.locked_until(row.account) if state == rec.VALID else None
    if until is not None:
        return rec.LOCKED, row, rec.Outcome(rec.LOCKED, until=until)
    return state, row, None


@bp.get("/recover/<token>")
def recover(token: str):
    """Shows the two questions and the form; changes nothing (mail scanners open links)."""
    state, row, outcome = _state(token)
    form = _form(row) if state == rec.VALID else None
    return _link_page(state, token, row, form, outcome)


@bp.post("/recover/<token>")
@limiter.limit(_named, key_func=_link_key)
@limiter.limit(_limit)
def use_recovery(token: str):
    state, row, outcome = _state(token)
    if state != rec.VALID:
        return _link_page(state, token, row, outcome=outcome)
    form = _form(row)
    valid = form.validate_on_submit()
    if not form.answers_given():
        return _link_page(rec.WRONG, token, row, form)
    if not rec.answers_right(row, form.answers):
        outcome = rec.count_wrong(row.account)
        if outcome.state == rec.LOCKED:
            return _link_page(rec.LOCKED, token, row, outcome=outcome)
        form.form_errors.append(ngettext(
            "The answers are not right. You can try %(num)d more time before recovery is "
            "locked for %(minutes)d minutes.",
            "The answers are not right. You can try %(num)d more times before recovery is "
            "locked for %(minutes)d minutes.", outcome.tries_left,
            minutes=current_app.config["RECOVERY_LOCK_MINUTES"]))
        return _link_page(rec.WRONG, token, row, form, outcome)
    if not valid:
        form.form_errors.append(_("Your answers are right. For your security they are not "
                                  "kept: type them again with a new password."))
        return _link_page(rec.WRONG, token, row, form)
    outcome = rec.reset(row, form.password.data)
    if outcome.state != rec.DONE:
        return _link_page(outcome.state, token, row, outcome=outcome)
    return advance(url_for("account.recovered"), _done_page)


def _done_page():
    return render("account/recover_done.html", "content",
                  heading=_("Your password is changed"))


@bp.get("/recover/done")
def recovered():
    return _done_page()
