"""The appointment request form, offered on review when the practice's module is on."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from .codes import DAY_PARTS, WEEKDAYS
from .fields import MultiCheckboxField, text
from .forms import StepForm
from .models import Practice

NO_PREFERENCE = ("", _l("No preference"))


class AppointmentForm(StepForm):
    reason = text(_l("Reason for visit"), 500, _l("Tell the practice why you want to visit."),
                  multiline=True, rows=3)
    days = MultiCheckboxField(_l("Preferred days"), choices=list(WEEKDAYS.items()),
                              validate_choice=True)
    times = MultiCheckboxField(_l("Preferred times"), choices=list(DAY_PARTS.items()),
                               validate_choice=True)
    provider = SelectField(_l("Provider"), validate_choice=True, validators=[Optional()])
    location = SelectField(_l("Location"), validate_choice=True, validators=[Optional()])


def appointment_form(practice: Practice, formdata=None) -> AppointmentForm:
    form = AppointmentForm() if formdata is None else AppointmentForm(formdata=formdata)
    form.provider.choices = [NO_PREFERENCE] + [(str(p.id), p.name) for p in practice.providers]
    form.location.choices = [NO_PREFERENCE] + [(str(loc.id), loc.name)
                                               for loc in practice.locations]
    return form


def appointment_values(form: AppointmentForm) -> dict:
    return {"reason": form.reason.data, "preferred_days": ",".join(form.days.data or []),
            "preferred_times": ",".join(form.times.data or []),
            "provider_id": int(form.provider.data) if form.provider.data else None,
            "location_id": int(form.location.data) if form.location.data else None}
