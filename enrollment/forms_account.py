"""Forms of the later steps: credentials, security questions, review, appointment."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField
from wtforms.validators import DataRequired, Optional

from . import policy
from .codes import DAY_PARTS, SECURITY_QUESTIONS, WEEKDAYS, choices
from .fields import MultiCheckboxField, text
from .forms import StepForm

QUESTION_COUNT = 5

POLICY_MESSAGES = {
    "username_length": _l("Use %(min)d to %(max)d characters for your username."),
    "username_chars": _l("Use only letters, digits and . _ - @ in your username."),
    "username_taken": _l("That username is taken. Try another."),
    "password_short": _l("Use at least %(min)d characters for your password."),
    "password_long": _l("Use %(max)d characters or fewer for your password."),
    "password_common": _l("That password is too common. Try a short sentence only you "
                          "would write."),
    "password_username": _l("Your password must not contain your username."),
    "password_name": _l("Your password must not contain your name."),
    "password_practice": _l("Your password must not contain the practice name."),
    "password_answer": _l("Your password must not be one of your security answers."),
    "password_again": _l("Enter your password again: you changed your username or name."),
    "password_required": _l("Enter a password."),
    "confirm_mismatch": _l("The passwords do not match. Type the same password twice."),
}


def policy_message(code: str, params: dict) -> str:
    return str(POLICY_MESSAGES[code] % params) if params else str(POLICY_MESSAGES[code])


class CredentialsForm(StepForm):
    username = text(_l("Username"), 50, _l("Enter a username."), "username",
                    autocapitalize="none", spellcheck="false")
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Confirm password"), render_kw={"autocomplete": "new-password"})
    keep_hash = False

    def username_problems(self) -> list:
        name = self.username.data or ""
        problems = policy.check_username(name, self.ctx.limits)
        if not problems and self.ctx.username_taken(policy.normalise_username(name)):
            problems.append(("username_taken", {}))
        return problems

    def password_problems(self) -> list:
        ctx = self.ctx
        password = self.password.data or ""
        username = policy.normalise_username(self.username.data or "")
        if not password:
            if ctx.has_password and username == ctx.saved_username:
                return []
            return [("password_again" if ctx.has_password else "password_required", {})]
        problems = policy.check_password(password, ctx.limits, username,
                                         ctx.name_parts, ctx.practice_name)
        if not problems and ctx.is_security_answer(password):
            problems.append(("password_answer", {}))
        return problems

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.username.errors:
            for code, params in self.username_problems():
                self.username.errors.append(policy_message(code, params))
        for code, params in self.password_problems():
            self.password.errors.append(policy_message(code, params))
        if (self.password.data or "") != (self.confirm.data or ""):
            self.confirm.errors.append(policy_message("confirm_mismatch", {}))
        self.keep_hash = not self.password.data
        return ok and not (self.username.errors or self.password.errors or self.confirm.errors)


class SecurityForm(StepForm):
    def slots(self):
        return [(self[f"question_{i}"], self[f"answer_{i}"]) for i in range(1, QUESTION_COUNT + 1)]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        seen_questions, seen_answers = set(), set()
        for i, (question, answer) in enumerate(self.slots()):
            if question.data not in SECURITY_QUESTIONS:
                question.errors.append(str(_l("Choose a question from the list.")))
            elif question.data in seen_questions:
                question.errors.append(str(_l("Choose a different question for each answer.")))
            seen_questions.add(question.data)
            typed = policy.normalise_answer(answer.data or "")
            if not typed:
                if not self.ctx.can_keep_answer(i, question.data):
                    answer.errors.append(str(_l("Enter an answer.")))
                continue
            if len(typed) < 3:
                answer.errors.append(str(_l("Use at least 3 characters for each answer.")))
            elif typed in seen_answers:
                answer.errors.append(str(_l("Use a different answer for each question.")))
            elif typed == self.ctx.saved_username or self.ctx.is_password(answer.data.strip()):
                answer.errors.append(str(_l("An answer must not be your username or password.")))
            seen_answers.add(typed)
        return ok and not any(q.errors or a.errors for q, a in self.slots())


for _i in range(1, QUESTION_COUNT + 1):
    setattr(SecurityForm, f"question_{_i}", SelectField(
        _l("Security question %(n)d", n=_i), validate_choice=False, validators=[Optional()],
        choices=choices(SECURITY_QUESTIONS, _l("Choose a question"))))
    setattr(SecurityForm, f"answer_{_i}", text(_l("Answer %(n)d", n=_i), 100,
                                               autocomplete="off"))


class ReviewForm(StepForm):
    # DataRequired: a tampered "terms=false" is a box left unticked, not consent.
    terms = BooleanField(_l("I agree to the practice's terms of use and privacy notice."),
                         validators=[DataRequired(message=_l(
                             "Agree to the terms of use and privacy notice to continue."))])
    email_contact = BooleanField(_l("The practice may contact me by email about this "
                                    "request and my account."),
                                 validators=[DataRequired(message=_l(
                                     "Agree to email contact: it is how we tell you "
                                     "the practice approved your request."))])


class AppointmentForm(StepForm):
    reason = text(_l("Reason for visit"), 500, _l("Tell the practice why you want to visit."),
                  multiline=True, rows=3)
    days = MultiCheckboxField(_l("Preferred days"), choices=list(WEEKDAYS.items()),
                              validate_choice=True)
    times = MultiCheckboxField(_l("Preferred times"), choices=list(DAY_PARTS.items()),
                               validate_choice=True)
    provider = SelectField(_l("Provider"), validate_choice=True, validators=[Optional()])
    location = SelectField(_l("Location"), validate_choice=True, validators=[Optional()])
