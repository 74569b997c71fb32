"""One FlaskForm per step.  Cross-step rules read `form.ctx` (a WizardContext)."""
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired, Optional, Regexp, ValidationError

from .codes import RELATIONSHIPS, STATE_CHOICES, choices
from .fields import CachedSelect, DateOfBirthField, check_us_phone, text

ZIP = Regexp(r"^\d{5}(-\d{4})?$", message=_l("Enter a 5-digit ZIP code, like 12345."))


class StepForm(FlaskForm):
    ctx = None  # set by the wizard: the draft, its practice and the policy limits

    class Meta:
        locales = False


class PracticeForm(StepForm):
    practice = SelectField(_l("Practice"), validators=[InputRequired(
        message=_l("Choose your practice."))], validate_choice=False,
        render_kw={"data-filter-label": _l("Filter practices by name")})

    def validate_practice(self, field):
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError(_l("Choose a practice from the list."))


def _state(label, required_message=None, autocomplete="off"):
    first = InputRequired(message=required_message) if required_message else Optional()
    return SelectField(label, choices=STATE_CHOICES, validators=[first],
                       validate_choice=False, render_kw={"autocomplete": autocomplete},
                       widget=CachedSelect())


def _check_state(field):
    if field.data and field.data not in {code for code, _ in STATE_CHOICES if code}:
        raise ValidationError(_l("Choose a state from the list."))


class PersonalForm(StepForm):
    first_name = text(_l("First name"), 60, _l("Enter your first name."), "given-name")
    middle_name = text(_l("Middle name"), 60, autocomplete="additional-name")
    last_name = text(_l("Last name"), 60, _l("Enter your last name."), "family-name")
    street = text(_l("Street address"), 120, _l("Enter your street address."), "address-line1")
    line2 = text(_l("Apartment, suite, etc."), 120, autocomplete="address-line2")
    city = text(_l("City"), 80, _l("Enter your city."), "address-level2")
    state = _state(_l("State"), _l("Choose your state."), "address-level1")
    zip_code = text(_l("ZIP code"), 10, _l("Enter your ZIP code."), "postal-code",
                    inputmode="numeric")
    phone = text(_l("Phone number"), 25, _l("Enter your phone number."), "tel", type="tel")
    date_of_birth = DateOfBirthField(_l("Date of birth"), render_kw={"autocomplete": "bday"},
                                     validators=[InputRequired(
                                         message=_l("Enter your date of birth."))])
    email = text(_l("Email address"), 254, _l("Enter your email address."), "email",
                 type="email")

    def validate_state(self, field):
        _check_state(field)

    def validate_zip_code(self, field):
        ZIP(self, field)

    def validate_phone(self, field):
        check_us_phone(self, field)

    def validate_date_of_birth(self, field):
        born = field.data
        today = date.today()
        if born is None:
            raise ValidationError(_l("Enter a real date of birth, like 1980-04-27."))
        if born >= today or born.year < today.year - 125:
            raise ValidationError(_l("Date of birth must be a real date in the past."))
        minimum = self.ctx.min_age
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age < minimum:
            raise ValidationError(_l(
                "You must be %(age)d or older to enroll yourself. A parent or guardian "
                "should contact the practice to set up access.", age=minimum))

    def validate_email(self, field):
        try:
            field.normalized = validate_email(field.data, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationError(_l("Enter an email address like name@example.com.")) from None


INSURANCE_REQUIRED = {
    "carrier": _l("Enter the insurance company or plan."),
    "member_id": _l("Enter the member ID from the insurance card."),
    "subscriber_name": _l("Enter the name of the person who holds the insurance."),
    "relationship": _l("Choose your relationship to the subscriber."),
    "claim_street": _l("Enter the claim mailing street address."),
    "claim_city": _l("Enter the claim mailing city."),
    "claim_state": _l("Choose the claim mailing state."),
    "claim_zip": _l("Enter the claim mailing ZIP code."),
}


class InsuranceForm(StepForm):
    carrier = text(_l("Insurance company or plan"), 120)
    member_id = text(_l("Member ID"), 40)
    group_number = text(_l("Group number"), 40)
    subscriber_name = text(_l("Subscriber name"), 120)
    relationship = SelectField(_l("Your relationship to the subscriber"),
                               choices=choices(RELATIONSHIPS, _l("Choose")),
                               validators=[Optional()], validate_choice=False)
    claim_street = text(_l("Claim mailing street address"), 120)
    claim_line2 = text(_l("Claim mailing address line 2"), 120)
    claim_city = text(_l("Claim mailing city"), 80)
    claim_state = _state(_l("Claim mailing state"))
    claim_zip = text(_l("Claim mailing ZIP code"), 10, inputmode="numeric")

    def is_empty(self) -> bool:
        return not any((f.data or "").strip() for f in self if f.name != "csrf_token")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.is_empty():
            return ok
        for name, message in INSURANCE_REQUIRED.items():   # partly filled: complete it
            field = self[name]
            if not field.errors and not (field.data or "").strip():
                field.errors.append(message)
                ok = False
        for name in ("claim_state",):
            try:
                _check_state(self[name])
            except ValidationError as exc:
                self[name].errors.append(str(exc))
                ok = False
        if self.relationship.data and self.relationship.data not in RELATIONSHIPS:
            self.relationship.errors.append(str(_l("Choose a relationship from the list.")))
            ok = False
        if self.claim_zip.data and not self.claim_zip.errors:
            try:
                ZIP(self, self.claim_zip)
            except ValidationError as exc:
                self.claim_zip.errors.append(str(exc))
                ok = False
        return ok
