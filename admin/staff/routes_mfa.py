"""The second step of a staff sign-in (admin/staff/mfa.py): the code from the app, or a
recovery code; and, for someone without a second factor yet, its enrollment and the
recovery codes shown once.  Reached only half signed in (password right: the pending
marker); no page here shows patient data, and none signs in without a code.

Every POST here counts, per client address, against STAFF_MFA_LIMIT (one limit for
the three forms) when it fails."""
from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _

from auth import credentials, throttle
from auth.login import end_pending, sign_in
from extensions import limiter
from rate_limits import per_client
from htmx import advance, client_redirect, render

from .. import bp
from ..core import ButtonForm
from . import mfa
from .forms import CodeForm, RecoveryForm

TO_DASHBOARD = "admin.queue"
RECOVERY_WRONG = "recovery_wrong"


def _failed(resp) -> bool:
    return resp.status_code == 422


mfa_limit = limiter.shared_limit(per_client("STAFF_MFA_LIMIT"),
                                 scope="staff-mfa", methods=["POST"], deduct_when=_failed)


def _to_sign_in():
    """No (or no longer a) half sign-in: to the password step."""
    args = {"expired": 1} if mfa.had_pending() else {}
    end_pending()
    return client_redirect(url_for("admin.login", **args))


def _locked_message() -> str:
    return _("This account is locked after too many failed sign-ins. Use \"Forgot your "
             "password?\" or ask your practice's administrator to reset your access.")


def _refusal(result: str) -> str:
    return {mfa.USED: _("That code has already been used. Wait for the next code in "
                        "your app (a new one every 30 seconds) and type it."),
            RECOVERY_WRONG: _("That recovery code is not right, or it was used before. "
                              "Each code works once; try another of your codes.")
            }.get(result) or _(
        "That code is not right. Type the newest code your app shows for this account; "
        "if it is still refused, check that your phone's clock is set automatically.")


def _refuse(form, result: str, user=None) -> None:
    """A refused code: the message beside the field (and in the summary); a lock is
    the whole form's, and ends the half sign-in; a wait says how long."""
    if result == mfa.LOCKED:
        end_pending()
        form.form_errors.append(_locked_message())
    elif result == mfa.THROTTLED:
        wait = credentials.refusal(user)[1] if user is not None else None
        form.code.errors.append(_("After too many wrong codes, each new try has to wait. "
                                  "Wait %(wait)s, then type the newest code.",
                                  wait=throttle.wait_text(wait or timedelta(seconds=1))))
    else:
        form.code.errors.append(_refusal(result))


def _code_page(user, form, template="admin/mfa_code.html", status=200, locked=False):
    heading = (_("Use a recovery code") if template.endswith("recovery.html")
               else _("Enter your sign-in code"))
    return render(template, "content", status=status, form=form, locked=locked,
                  account=user.email, heading=heading)


def _second_factor(template: str, form, check):
    """The code step and the recovery step alike: GET shows the form, POST checks."""
    user = mfa.pending_user()
    if user is None:
        return _to_sign_in()
    if not user.mfa_enrolled:
        return client_redirect(url_for("admin.mfa_enroll"))
    if not form.validate_on_submit():
        return _code_page(user, form, template, 422 if form.errors else 200)
    result = check(user, form.code.data)
    if result == mfa.OK:
        sign_in(user)
        return client_redirect(url_for(TO_DASHBOARD))
    _refuse(form, result, user)
    return _code_page(user, form, template, 422, locked=result == mfa.LOCKED)


@bp.route("/login/code", methods=["GET", "POST"])
@mfa_limit
def mfa_code():
    return _second_factor("admin/mfa_code.html", CodeForm(), mfa.check_code)


@bp.route("/login/recovery", methods=["GET", "POST"])
@mfa_limit
def mfa_recovery():
    def check(user, typed):
        result = mfa.use_recovery_code(user, typed)
        return RECOVERY_WRONG if result == mfa.WRONG else result
    return _second_factor("admin/mfa_recovery.html", RecoveryForm(), check)


def _enroll_page(user, form, status=200):
    secret = mfa.enrollment_secret(user)
    return render("admin/mfa_enroll.html", "content", status=status, form=form,
                  qr=mfa.qr_svg(secret, user, _("QR code to scan with your authenticator "
                                                "app; the key is also written below.")),
                  key=mfa.otp.grouped(secret), account=user.email, issuer=mfa.issuer(user),
                  heading=_("Set up two-factor sign-in"))


@bp.route("/login/enroll", methods=["GET", "POST"])
@mfa_limit
def mfa_enroll():
    user = mfa.pending_user()
    if user is None:
        return _to_sign_in()
    if user.mfa_enrolled:
        return client_redirect(url_for("admin.mfa_code"))
    form = CodeForm()
    if not form.validate_on_submit():
        return _enroll_page(user, form, 422 if form.errors else 200)
    result, codes = mfa.confirm_enrollment(user, mfa.enrollment_secret(user), form.code.data)
    if result == mfa.TAKEN:
        return client_redirect(url_for("admin.mfa_code"))
    if result != mfa.OK:
        _refuse(form, result, user)
        return _enroll_page(user, form, 422)
    mfa.keep_codes_to_show(user, codes)
    return advance(url_for("admin.mfa_codes"), lambda: _codes_page(user, codes))


def _codes_page(user, codes):
    return render("admin/mfa_codes.html", "content", codes=codes, form=ButtonForm(),
                  account=user.email, heading=_("Save your recovery codes"))


@bp.get("/login/recovery-codes")
def mfa_codes():
    """The codes of the enrollment just made, until "I have saved them"."""
    user = mfa.pending_user()
    codes = mfa.codes_to_show(user) if user is not None else None
    if codes is None:
        return _to_sign_in()
    return _codes_page(user, codes)


@bp.post("/login/recovery-codes")
def mfa_codes_saved():
    """'I have saved them': the whole sign-in; the codes are never shown again."""
    user = mfa.pending_user()
    if user is None or mfa.codes_to_show(user) is None or not ButtonForm().validate_on_submit():
        return _to_sign_in()
    sign_in(user)
    return client_redirect(url_for(TO_DASHBOARD))
