"""Changing the five security questions: the wizard's SecurityForm (same rules: five
different questions, five different answers, none the username or the password) with
the current password to confirm it."""
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField
from wtforms.validators import DataRequired, ValidationError

from enrollment.steps.security import SecurityForm


class QuestionsForm(SecurityForm):
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(message=_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"})

    def validate_current(self, field):
        if not self.ctx.is_password(field.data or ""):
            raise ValidationError(_l("That is not your current password."))


def questions_form(ctx, formdata=None) -> QuestionsForm:
    """Bound to a post, or (formdata None) showing the saved questions, no answers."""
    if formdata is None:
        formdata = MultiDict([(f"question_{i}", q) for i, q in enumerate(ctx.questions, 1)])
    form = QuestionsForm(formdata=formdata)
    form.ctx = ctx
    return form
