"""The recovery forms: who forgot (a username or an address), and the link's form (two
answers and the new password, one post)."""
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from enrollment.fields import NoControlChars, text

from .forms import AccountForm, NewPasswordForm


class ForgotPasswordForm(AccountForm):
    identifier = text(_l("Username or email address"), 254,
                      _l("Enter your username or your email address."), "username",
                      autocapitalize="none", spellcheck="false")


class ForgotUsernameForm(AccountForm):
    email = text(_l("Email address"), 254, _l("Enter your email address."), "email",
                 type="email", autocapitalize="none", spellcheck="false")


def _answer(required):
    # A password field: an answer is a secret, never echoed back into the page.
    return PasswordField(_l("Answer"), validators=[
        DataRequired(message=required), NoControlChars(),
        Length(max=100, message=_l("Use %(max)d characters or fewer.", max=100))],
        render_kw={"autocomplete": "off", "maxlength": 100})


class RecoverForm(NewPasswordForm):
    """Answers first, then the new password (page order for the error summary).
    The labels of the answers are the questions, set per link by `recover_form`."""
    answer_1 = _answer(_l("Answer the first question."))
    answer_2 = _answer(_l("Answer the second question."))
    password = PasswordField(_l("New password"), render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Confirm new password"),
                            render_kw={"autocomplete": "new-password"})

    @property
    def answers(self) -> list:
        return [self.answer_1.data or "", self.answer_2.data or ""]

    def answers_given(self) -> bool:
        return not (self.answer_1.errors or self.answer_2.errors
                    or self.errors.get("csrf_token"))


def recover_form(ctx, labels: list) -> RecoverForm:
    """`labels`: the two questions the link asks, shown as the answers' labels."""
    form = RecoverForm()
    form.ctx = ctx
    for f, label in zip((form.answer_1, form.answer_2), labels):
        f.label.text = label
    return form
