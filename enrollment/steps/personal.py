"""Personal information: name, home address, phone (kept E.164), date of birth (the
resume check asks for it), email.  Its own columns in the request; staff may reopen it."""
from datetime import date, datetime

from flask_babel import format_date, lazy_gettext as _l
from wtforms.validators import InputRequired, ValidationError

from ..emails import display_phone
from ..fields import (ZIP, DateOfBirthField, check_state, check_us_phone, patient_address,
                      state_field, text)
from ..forms import StepForm
from .base import Step, address

COLUMNS = ("first_name", "middle_name", "last_name", "street", "line2", "city", "state",
           "zip_code", "phone", "email")
NAME = ("first_name", "middle_name", "last_name")


class PersonalForm(StepForm):
    first_name = text(_l("First name"), 60, _l("Enter your first name."), "given-name")
    middle_name = text(_l("Middle name"), 60, autocomplete="additional-name")
    last_name = text(_l("Last name"), 60, _l("Enter your last name."), "family-name")
    street = text(_l("Street address"), 120, _l("Enter your street address."), "address-line1")
    line2 = text(_l("Apartment, suite, etc."), 120, autocomplete="address-line2")
    city = text(_l("City"), 80, _l("Enter your city."), "address-level2")
    state = state_field(_l("State"), _l("Choose your state."), "address-level1")
    zip_code = text(_l("ZIP code"), 10, _l("Enter your ZIP code."), "postal-code",
                    inputmode="numeric")
    phone = text(_l("Phone number"), 25, _l("Enter your phone number."), "tel", type="tel")
    date_of_birth = DateOfBirthField(_l("Date of birth"), render_kw={"autocomplete": "bday"},
                                     validators=[InputRequired(
                                         message=_l("Enter your date of birth."))])
    email = text(_l("Email address"), 254, _l("Enter your email address."), "email",
                 type="email")

    def validate_state(self, field):
        check_state(field)

    def validate_zip_code(self, field):
        ZIP(self, field)

    def validate_phone(self, field):
        check_us_phone(self, field)

    def validate_date_of_birth(self, field):
        born = field.data
        today = date.today()
        if born is None:
            raise ValidationError(_l("Enter a real date of birth, like 04/27/1980."))
        if born >= today or born.year < today.year - 125:
            raise ValidationError(_l("Date of birth must be a real date in the past."))
        minimum = self.ctx.min_age
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age < minimum:
            raise ValidationError(_l(
                "You must be %(age)d or older to enroll yourself. A parent or guardian "
                "should contact the practice to set up access.", age=minimum))

    def validate_email(self, field):
        field.normalized = patient_address(field.data)


class PersonalStep(Step):
    form = PersonalForm
    password_context = NAME   # the password must not contain the name
    password_again = _l("Your name changed, so choose your password again: it must not "
                        "contain your name.")
    correctable = True

    def clean(self, form) -> dict:
        values = super().clean(form)
        values["phone"] = form.phone.e164
        values["email"] = form.email.normalized
        return values

    def share(self, values: dict) -> dict:
        return {"name_parts": tuple(values.get(k, "") for k in NAME),
                "email": values.get("email", "")}

    def birth_date(self, values: dict, typed: dict) -> str | None:
        if values.get("date_of_birth"):
            return values["date_of_birth"]
        raw = (typed.get("date_of_birth") or [""])[0].strip()
        for fmt in DateOfBirthField.FORMATS:
            try:
                return datetime.strptime(raw, fmt).date().isoformat()
            except ValueError:
                continue
        return None

    def review_rows(self, values: dict, ctx) -> list:
        name = " ".join(values[k] for k in NAME if values.get(k))
        born = values.get("date_of_birth")
        return [
            (_l("Name"), name),
            (_l("Address"), address(values)),
            (_l("Phone number"), display_phone(values.get("phone", ""))),
            (_l("Date of birth"), format_date(date.fromisoformat(born), "long") if born else ""),
            (_l("Email address"), values.get("email", "")),
        ]

    def write(self, values: dict, into) -> None:
        for column in COLUMNS:
            setattr(into.request, column, values.get(column) or "")
        into.request.date_of_birth = date.fromisoformat(values["date_of_birth"])

    def request_values(self, req) -> dict:
        values = {k: getattr(req, k) or "" for k in COLUMNS}
        values["phone"] = display_phone(req.phone)
        values["date_of_birth"] = req.date_of_birth.isoformat()
        return values

    def correction(self, values: dict, req) -> dict:
        """The columns; a new email address is unconfirmed again, which the caller
        sees to (enrollment.confirmation.address_changed)."""
        columns = {k: values.get(k) or "" for k in COLUMNS}
        # A bulk UPDATE (account/corrections.py): the date's search hash goes with it.
        columns.update(req.birth_columns(date.fromisoformat(values["date_of_birth"])))
        return columns
