"""Forms of enrollment requests: search, reject, ask for information (approving is a
button: core.ButtonForm)."""
from datetime import datetime

import phonenumbers

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import DataRequired, ValidationError

from enrollment import steps
from enrollment.codes import REJECTION_REASONS
from enrollment.fields import MultiCheckboxField, text

from ..core import AdminForm, email_address

SEARCH_BY = [("name", _l("Name (accents, case and punctuation do not matter)")),
             ("phone", _l("Phone number (any format)")),
             ("email", _l("Email address (from the start)")),
             ("username", _l("Username (from the start)")),
             ("dob", _l("Date of birth (exact)"))]
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y")


def _phone(typed: str | None) -> str:
    """The number as stored (E.164), whatever way it was typed (US by default)."""
    try:
        number = phonenumbers.parse(typed or "", "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationError(_l("Enter a phone number with its area code, like "
                                 "(217) 555-0142."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class SearchForm(AdminForm):
    by = SelectField(_l("Search by"), choices=SEARCH_BY)
    q = text(_l("Search for"), 254, _l("Enter what to search for."), "off",
             autocapitalize="none", spellcheck="false")
    value = None

    def validate_q(self, field):
        if self.by.data == "phone":
            self.value = _phone(field.data)
            return
        if self.by.data != "dob":
            self.value = field.data
            return
        for fmt in DATE_FORMATS:
            try:
                self.value = datetime.strptime(field.data or "", fmt).date()
                return
            except ValueError:
                continue
        raise ValidationError(_l("Enter a date of birth like 1984-03-09 or 03/09/1984."))


class RejectForm(AdminForm):
    reason = SelectField(_l("Reason (the patient is told this)"), validators=[
        DataRequired(message=_l("Choose a reason."))], validate_choice=False)
    note = text(_l("Internal note (never sent to the patient)"), 1000, None, "off",
                multiline=True, rows=3)

    def offer(self, codes: list[str]) -> "RejectForm":
        self.reason.choices = [("", _l("Choose a reason"))] + [
            (code, REJECTION_REASONS[code]) for code in codes]
        return self

    def validate_reason(self, field):
        if field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError(_l("Choose a reason from the list."))


class SectionsField(MultiCheckboxField):
    """The sections opened for correction: only those offered, with our own message
    (WTForms' own would echo the unknown value back)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "MultiCheckboxField"   # the field macro draws it as a fieldset

    def pre_validate(self, form):
        offered = {value for value, _ in self.choices}
        if any(value not in offered for value in self.data or ()):
            raise ValidationError(_l("Choose sections from the list."))


class NeedsInfoForm(AdminForm):
    """'Needs information': a message (shown to the patient after they sign in, never
    emailed) and the sections they may correct (none: a message alone, "call us")."""
    sections = SectionsField(_l("Sections the patient may correct"), validate_choice=True)
    message = text(_l("Message to the patient"), 2000, _l("Write the message to the patient."),
                   "off", multiline=True, rows=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections.choices = [(step.name, step.title) for step in steps.correctable()]


class EmailForm(AdminForm):
    """The patient called: their address was mistyped."""
    email = text(_l("Correct email address"), 254, _l("Enter the patient's email address."),
                 "off", autocapitalize="none", spellcheck="false")

    def validate_email(self, field):
        field.data = email_address(field.data)
