"""Choose the practice: the choices are the active practices (kept a few seconds per
process by practice_list.py); a practice closed after it was chosen sends the patient
back here with a notice."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired, ValidationError

from ..forms import StepForm
from ..practice_list import active_choices
from .base import Step


class PracticeForm(StepForm):
    practice = SelectField(_l("Practice"), validators=[InputRequired(
        message=_l("Choose your practice."))], validate_choice=False,
        render_kw={"data-filter-label": _l("Filter practices by name")})

    def validate_practice(self, field):
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError(_l("Choose a practice from the list."))


class PracticeStep(Step):
    form = PracticeForm
    password_context = ("practice_id",)   # the password must not contain its name
    password_again = _l("Your practice changed, so choose your password again: it must "
                        "not contain the practice name.")
    personal = False
    notices = {"practice_inactive": ("practice", _l(
        "That practice no longer takes online enrollment. Choose another practice, or "
        "call your practice."))}

    def prepare(self, form) -> None:
        form.practice.choices = [("", _l("Choose your practice"))] + active_choices()

    def clean(self, form) -> dict:
        return {"practice_id": int(form.practice.data)}

    def share(self, values: dict) -> dict:
        return {"practice_id": values.get("practice_id")}

    def stale(self, ctx) -> str | None:
        if ctx.practice is not None and not ctx.practice.active:
            return "practice_inactive"
        return None

    def review_rows(self, values: dict, ctx) -> list:
        return [(_l("Practice"), ctx.practice.name if ctx.practice else "")]

    def write(self, values: dict, into) -> None:
        into.request.practice_id = into.account.practice_id = values["practice_id"]
