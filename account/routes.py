"""Sign-in and sign-out, the status page (pending) and the account page (approved),
changing the password and the security questions.  Thin views."""
from flask import g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from auth.credentials import refusal_message
from auth.login import SESSION_KEY, sign_in, sign_out, signed_in_as
from database import write_transaction
from enrollment import confirmation, limits, steps
from enrollment.codes import APPOINTMENT_STATUSES, SECURITY_QUESTIONS, STATUSES
from enrollment.emails import display_phone
from enrollment.steps.security import answers_of, forget_answers
from extensions import limiter
from htmx import client_redirect, render
from rate_limits import note_retry_in, per_client
from seclog import PASSWORD_CHANGED, actor_ids, security_event

from . import appointments, bp, corrections
from .emails import queue_password_changed
from .forms import ChangePasswordForm, LoginForm
from .guard import PATIENT, approved_required, landing, patient_required
from .patients import (LOCKED, OK, AccountContext, authenticate, set_password,
                       set_questions)

from .questions import questions_form

SIGN_IN_FAILED = 401


def _failed(resp) -> bool:
    return resp.status_code == SIGN_IN_FAILED


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(per_client("PATIENT_LOGIN_LIMIT"), methods=["POST"], deduct_when=_failed)
def login():
    """One plain message for an unknown username, a wrong password and a rejected
    request (its account is gone), and the same waits and lock for each (an unknown
    name is throttled like an account): the same status and the same page."""
    if signed_in_as(PATIENT):
        return redirect(landing(), 303)
    form = LoginForm()
    status, locked = 200, False
    if form.validate_on_submit():
        attempt = authenticate(form.username.data, form.password.data)
        if attempt.result == OK:
            sign_in(attempt.user)
            return client_redirect(landing())
        locked = attempt.result == LOCKED
        form.username.data = ""   # not echoed: the page is the same for every username
        form.form_errors.append(refusal_message(attempt, _(
            "This account is locked after too many failed sign-ins. Reset your "
            "password to open it again."), _("The username or password is not right.")))
        status = SIGN_IN_FAILED
    elif form.errors:
        status = 422
    return render("account/login.html", "content", status=status, form=form,
                  locked=locked, expired=request.args.get("expired") == "1",
                  heading=_("Sign in to the patient portal"))


@bp.post("/logout")
def logout():
    sign_out()
    return client_redirect(url_for("account.login"))


@bp.post("/session")
@patient_required
def keepalive():
    """'Stay signed in': the user loader has just renewed last_seen_at."""
    return "", 204


def _practice_contact(account) -> dict:
    practice = account.practice
    return {"name": practice.name, "phone": display_phone(practice.phone),
            "tel": practice.phone, "email": practice.reply_to, "zone": practice.timezone}


@bp.get("/status")
@patient_required
def status():
    """Where a pending request stands; what the practice asked, when it did."""
    if current_user.active:
        return redirect(url_for("account.home"), 303)
    saved = request.args.get("saved")
    return status_page(saved=saved if steps.get(saved or "") else None,
                       sent=request.args.get("sent") == "1")


def status_page(message: str | None = None, code: int = 200, saved: str | None = None,
                sent: bool = False):
    req = g.enrollment   # patient_required's; refreshed by whatever changed it
    ask = corrections.open_request(req)
    if saved:
        message = _("Saved. Correct any other section, then send the request back to "
                    "the practice.")
    elif sent:
        message = _("Sent. Your request is back with the practice.")
    return render("account/status.html", "content", status=code, req=req, ask=ask,
                  sections=corrections.opened(ask), statuses=STATUSES,
                  confirm=confirmation.status(req.id) if req is not None else None,
                  practice=_practice_contact(current_user), message=message,
                  heading=_("Your enrollment request"))


def _request_named() -> str:
    return f"request:{g.enrollment.id if g.get('enrollment') is not None else '-'}"


@bp.post("/status/new-link")
@patient_required
@limits.resend_limits(_request_named)
def new_link():
    """A new email-confirmation link, at most one a minute (enrollment/confirmation.py)."""
    if current_user.active or g.enrollment is None:
        return redirect(landing(), 303)
    result = confirmation.resend(g.enrollment.id)
    messages = {confirmation.SENT: _("A new link is on its way to your email address."),
                confirmation.WAIT: _("A link was sent a moment ago. Wait a minute before "
                                     "asking for another."),
                confirmation.CONFIRMED: _("Your email address is already confirmed."),
                confirmation.CLOSED: _("Your request is no longer waiting for approval.")}
    code = 429 if result == confirmation.WAIT else 200
    if code == 429:
        note_retry_in(confirmation.RESEND_INTERVAL.total_seconds())
    return status_page(messages[result], code)


@bp.get("/account")
@approved_required
def home():
    req = g.enrollment
    return render("account/home.html", "content", req=req, statuses=STATUSES,
                  appointment_statuses=APPOINTMENT_STATUSES,
                  booked=appointments.confirmed(req.appointment if req else None),
                  practice=_practice_contact(current_user), message=_done_message(),
                  heading=_("Your account"))


def _done_message():
    return {"password": _("Your password is changed. Other devices were signed out."),
            "questions": _("Your security questions are changed.")}.get(
        request.args.get("done", ""))


@bp.route("/account/password", methods=["GET", "POST"])
@approved_required
def change_password():
    form = ChangePasswordForm()
    form.ctx = AccountContext(current_user, g.enrollment)
    if form.validate_on_submit():
        set_password(current_user, form.password.data, keep_token=session.get(SESSION_KEY))
        with write_transaction():
            queue_password_changed(current_user)
        security_event(PASSWORD_CHANGED, **actor_ids(current_user))
        return client_redirect(url_for("account.home", done="password"))
    return render("account/password.html", "content", status=422 if form.errors else 200,
                  form=form, heading=_("Change your password"))


@bp.route("/account/questions", methods=["GET", "POST"])
@approved_required
def change_questions():
    """The five questions again; an answer left blank keeps the saved one (same
    question), and the current password confirms the change."""
    ctx = AccountContext(current_user, g.enrollment)
    form = questions_form(ctx, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        clean = answers_of(form)
        set_questions(current_user, clean["questions"], clean["answer_hashes"])
        return client_redirect(url_for("account.home", done="questions"))
    forget_answers(form)   # never shown back; a saved answer's field says "leave blank"
    return render("account/questions.html", "content",
                  status=422 if form.errors or form.form_errors else 200, form=form,
                  questions=SECURITY_QUESTIONS, heading=_("Change your security questions"))
