"""The patient's forms after submission: sign-in, password change, recovery."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, ValidationError

from enrollment.fields import text
from enrollment.codes import policy_message


class AccountForm(FlaskForm):
    """Flask-WTF translates WTForms' own messages into the page's language
    (WTF_I18N_ENABLED, config.py); Meta.locales does not apply to a FlaskForm."""


class LoginForm(AccountForm):
    username = text(_l("Username"), 50, _l("Enter your username."), "username",
                    autocapitalize="none", spellcheck="false")
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"})


class NewPasswordForm(AccountForm):
    """A new password twice, under the enrollment's policy (`ctx`: AccountContext)."""
    password = PasswordField(_l("New password"), render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Confirm new password"),
                            render_kw={"autocomplete": "new-password"})
    ctx = None   # an AccountContext

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        password = self.password.data or ""
        if not password:
            self.password.errors.append(policy_message("password_required", {}))
        else:
            for code, params in self.ctx.password_problems(password):
                self.password.errors.append(policy_message(code, params))
        if password != (self.confirm.data or ""):
            self.confirm.errors.append(policy_message("confirm_mismatch", {}))
        return ok and not (self.password.errors or self.confirm.errors)


def _new_password(label):
    return PasswordField(label, render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(NewPasswordForm):
    # Declared again after `current`, so fields and the error summary go in page order.
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(message=_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"})
    password = _new_password(_l("New password"))
    confirm = _new_password(_l("Confirm new password"))

    def validate_current(self, field):
        if not self.ctx.is_password(field.data or ""):
            raise ValidationError(_l("That is not your current password."))
