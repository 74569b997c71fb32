"""Forms of staff accounts: sign-in and its second factor (a code from the app, a
recovery code), invite a colleague, forgot password, a new password (from an
invitation or a reset link)."""
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Regexp, ValidationError

from enrollment.fields import text

from ..core import AdminForm, staff_address
from .models import ADMIN, STAFF

ROLE_CHOICES = [(STAFF, _l("Staff (reviews requests)")),
                (ADMIN, _l("Administrator (also settings, staff and audit trail)"))]


class LoginForm(AdminForm):
    email = text(_l("Email address"), 254, _l("Enter your email address."), "username",
                 autocapitalize="none", spellcheck="false", type="email")
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"})


def _no_spaces(value):
    return "".join(value.split()) if isinstance(value, str) else value


class CodeForm(AdminForm):
    """Six digits from the authenticator app (spaces ignored: some apps show 123 456)."""
    code = StringField(_l("Code from your authenticator app"), filters=[_no_spaces],
                       validators=[DataRequired(message=_l("Enter the 6-digit code from your "
                                                           "authenticator app.")),
                                   Regexp(r"^[0-9]{6}$", message=_l(
                                       "Enter the 6 digits the app shows, like 123456."))],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                  "maxlength": 12, "autocapitalize": "none",
                                  "spellcheck": "false"})


class RecoveryForm(AdminForm):
    code = StringField(_l("Recovery code"), filters=[_no_spaces],
                       validators=[DataRequired(message=_l("Enter one of your recovery "
                                                           "codes."))],
                       render_kw={"autocomplete": "off", "maxlength": 40,
                                  "autocapitalize": "none", "spellcheck": "false"})


class InviteForm(AdminForm):
    email = text(_l("Their email address"), 254, _l("Enter their email address."), "off",
                 type="email", autocapitalize="none", spellcheck="false")
    # Never empty (a role is chosen from the start): no `required` attribute, which HTML
    # allows only on a select whose first option is an empty placeholder.
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=STAFF,
                       validators=[DataRequired(message=_l("Choose a role."))],
                       render_kw={"required": False})

    def validate_email(self, field):
        field.normalized = staff_address(field.data)


class ForgotForm(AdminForm):
    email = text(_l("Email address"), 254, _l("Enter your email address."), "username",
                 type="email", autocapitalize="none", spellcheck="false")


class PasswordForm(AdminForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(message=_l("Enter a password."))],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(message=_l("Enter the password again."))],
        render_kw={"autocomplete": "new-password"})

    def validate_confirm(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError(_l("The two passwords are not the same."))
