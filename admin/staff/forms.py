"""Forms of staff accounts: sign-in, invite a colleague, forgot password, a new
password (from an invitation or a reset link)."""
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField
from wtforms.validators import DataRequired, ValidationError

from enrollment.fields import text

from ..core import AdminForm, email_address
from .models import ADMIN, STAFF

ROLE_CHOICES = [(STAFF, _l("Staff (reviews requests)")),
                (ADMIN, _l("Administrator (also settings, staff and audit trail)"))]


class LoginForm(AdminForm):
    email = text(_l("Email address"), 254, _l("Enter your email address."), "username",
                 autocapitalize="none", spellcheck="false", type="email")
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"})


class InviteForm(AdminForm):
    email = text(_l("Their email address"), 254, _l("Enter their email address."), "off",
                 type="email", autocapitalize="none", spellcheck="false")
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=STAFF,
                       validators=[DataRequired(message=_l("Choose a role."))])

    def validate_email(self, field):
        field.normalized = email_address(field.data).lower()


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
