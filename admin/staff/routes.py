"""Staff of the practice (role admin): list, invite, send an invitation again, disable,
reset access, reset two-factor sign-in.  And the pages anyone reaches from an email: forgot password,
invitation, reset link."""
from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from auth.tokens import digest
from enrollment.codes import policy_message
from extensions import limiter
from htmx import advance, client_redirect, render
from rate_limits import per_client, per_name

from .. import bp
from ..core import ButtonForm, admin_required
from . import invitations as inv
from . import mfa
from ..core import staff_address_key
from .accounts import StaffError, staff_list, staff_of
from .forms import ForgotForm, InviteForm, PasswordForm

LINK_STATUS = {inv.VALID: 200, inv.USED: 410, inv.EXPIRED: 410, inv.UNKNOWN: 404,
               inv.WEAK: 422}


def _heading(purpose: str, state: str) -> str:
    return {inv.USED: _("This link has already been used"),
            inv.EXPIRED: _("This link has expired"),
            inv.UNKNOWN: _("This link is not valid")}.get(state) or (
        _("Join your practice's staff dashboard") if purpose == inv.INVITE
        else _("Choose a new password"))


def _staff_page(status=200, form=None, notice=None, problem=None):
    return render("admin/staff.html", "content", status=status, form=form or InviteForm(),
                  members=staff_list(current_user.practice_id),
                  action_form=ButtonForm(), invited=inv.invited, notice=notice,
                  problem=problem, heading=_("Staff"))


def _member(staff_id: int):
    member = staff_of(current_user.practice_id, staff_id)
    if member is None:
        abort(404)
    return member


def _done(notice: str):
    return advance(url_for("admin.staff_page", done=notice),
                   lambda: _staff_page(notice=_notice(notice)))


def _notice(code):
    return {"invited": _("Invitation sent."), "disabled": _("Disabled; signed out everywhere."),
            "reset": _("Access reset: signed out everywhere, a reset link was emailed."),
            "resent": _("Invitation sent again. The new link works for 72 hours; the "
                        "earlier one no longer works."),
            "mfa_reset": _("Two-factor sign-in reset: signed out everywhere. They set it "
                           "up again with their phone at their next sign-in."),
            }.get(code)


@bp.get("/staff")
@admin_required
def staff_page():
    return _staff_page(notice=_notice(request.args.get("done")))


@bp.post("/staff/invite")
@admin_required
def invite_staff():
    form = InviteForm()
    if not form.validate_on_submit():
        return _staff_page(status=422, form=form)
    try:
        inv.invite(current_user, form.email.normalized, form.role.data)
    except StaffError:
        form.email.errors.append(_("That address already has an account."))
        return _staff_page(status=422, form=form)
    return _done("invited")


@bp.post("/staff/<int:staff_id>/resend")
@admin_required
def resend_invitation(staff_id: int):
    """A new invitation link for a member who has not joined yet (the old one, expired
    or not, stops working)."""
    member = _member(staff_id)
    if not inv.invited(member):
        return _staff_page(status=409, problem=_(
            "Only an invitation that has not been used can be sent again."))
    inv.resend_invitation(current_user, member)
    return _done("resent")


@bp.post("/staff/<int:staff_id>/disable")
@admin_required
def disable_staff(staff_id: int):
    member = _member(staff_id)
    if member.id == current_user.id:
        return _staff_page(status=409, problem=_("You cannot disable yourself."))
    inv.disable(current_user, member)
    return _done("disabled")


@bp.post("/staff/<int:staff_id>/reset")
@admin_required
def reset_staff(staff_id: int):
    member = _member(staff_id)
    if member.id == current_user.id or not member.active:
        return _staff_page(status=409, problem=_(
            "Only another, active staff member's access can be reset."))
    inv.reset_access(current_user, member)
    return _done("reset")


@bp.post("/staff/<int:staff_id>/reset-mfa")
@admin_required
def reset_staff_mfa(staff_id: int):
    """A lost phone: the member's second factor goes, their sessions end, and they
    enroll again at their next sign-in (password still theirs)."""
    member = _member(staff_id)
    if member.id == current_user.id or not member.active:
        return _staff_page(status=409, problem=_(
            "Only another, active staff member's two-factor sign-in can be reset here."))
    mfa.reset(member, admin=current_user)
    return _done("mfa_reset")


def _forgot_key() -> str:
    return "staff-forgot:" + digest(staff_address_key(request.form.get("email") or ""))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(per_name("STAFF_FORGOT_LIMIT"), methods=["POST"], key_func=_forgot_key)
@limiter.limit(per_client("STAFF_FORGOT_LIMIT"), methods=["POST"])   # and per client
def forgot():
    """The same answer for known and unknown addresses (status and body)."""
    form = ForgotForm()
    sent = False
    if form.validate_on_submit():
        inv.forgot(form.email.data)
        sent, form = True, ForgotForm(formdata=None)
    status = 422 if form.errors else 200
    return render("admin/forgot.html", "content", status=status, form=form, sent=sent,
                  heading=_("Forgot your password?"))


def _link_page(purpose: str, token: str, state: str, form=None, problems=()):
    endpoint = inv.ENDPOINT[purpose]
    return render("admin/link.html", "content", status=LINK_STATUS[state], state=state,
                  form=form or PasswordForm(formdata=None), problems=problems,
                  action=url_for(endpoint, token=token), purpose=purpose,
                  heading=_heading(purpose, state))


def _use_link(purpose: str, token: str):
    state, _row = inv.lookup(token, purpose)
    form = PasswordForm()
    if state != inv.VALID or not form.validate_on_submit():
        return _link_page(purpose, token, state if state != inv.VALID else inv.WEAK, form)
    state, result = inv.use(token, purpose, form.password.data)
    if state == inv.WEAK:
        cfg = current_app.config
        params = {"min": cfg["PASSWORD_MIN_LENGTH"], "max": cfg["PASSWORD_MAX_LENGTH"]}
        form.password.errors = [policy_message(code, params if code in (
            "password_short", "password_long") else {}) for code in result]
        return _link_page(purpose, token, inv.WEAK, form)
    if state != inv.DONE:
        return _link_page(purpose, token, state)
    # Half signed in: the second factor (or, for a new member, its enrollment) first.
    return client_redirect(url_for(mfa.start(result)))


@bp.get("/invite/<token>")
def invitation(token: str):
    """Shows the form; changes nothing (mail scanners open links)."""
    return _link_page(inv.INVITE, token, inv.lookup(token, inv.INVITE)[0])


@bp.post("/invite/<token>")
def accept_invitation(token: str):
    return _use_link(inv.INVITE, token)


@bp.get("/reset/<token>")
def reset_password(token: str):
    return _link_page(inv.RESET, token, inv.lookup(token, inv.RESET)[0])


@bp.post("/reset/<token>")
def use_reset(token: str):
    return _use_link(inv.RESET, token)
