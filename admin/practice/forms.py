"""Forms of practice administration: settings, providers and locations."""
import re
import zoneinfo

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.validators import Optional, Regexp, ValidationError

from enrollment.codes import REJECTION_REASONS, STATE_CHOICES
from enrollment.fields import MultiCheckboxField, check_us_phone, text

from ..core import AdminForm, email_address


class SettingsForm(AdminForm):
    name = text(_l("Practice name"), 120, _l("Enter the practice's name."), "organization")
    street = text(_l("Street address"), 120, None, "address-line1")
    city = text(_l("City"), 80, None, "address-level2")
    state = SelectField(_l("State"), choices=STATE_CHOICES, validators=[Optional()])
    zip_code = text(_l("ZIP code"), 10, None, "postal-code", inputmode="numeric")
    phone = text(_l("Phone number"), 25, _l("Enter the practice's phone number."), "tel",
                 type="tel")
    reply_to = text(_l("Reply-to email address (patients' replies go here)"), 254,
                    _l("Enter the practice's email address."), "email", type="email")
    timezone = text(_l("Time zone"), 64, _l("Enter the practice's time zone."), "off",
                    list="timezones", spellcheck="false", autocapitalize="none")
    appointments_enabled = BooleanField(_l("Patients may request an appointment when they enroll"))
    notify_new_requests = BooleanField(
        _l("Email the reply-to address when a new request arrives (only a link, no names)"))
    terms_url = text(_l("Address of the practice's terms of use and privacy notice"), 500,
                     None, "url", inputmode="url", autocapitalize="none",
                     spellcheck="false")   # type=url: a refused value echoed is not valid HTML
    terms_version = text(_l("Their version"), 20, None, "off")
    reasons = MultiCheckboxField(_l("Rejection reasons offered to staff"),
                                 choices=list(REJECTION_REASONS.items()))

    def validate_zip_code(self, field):
        if field.data:
            Regexp(r"^\d{5}(-\d{4})?$", message=_l("Enter a ZIP code like 62701."))(self, field)

    def validate_terms_url(self, field):
        if field.data and not re.fullmatch(r"https?://[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?",
                                           field.data):
            raise ValidationError(_l("Enter a web address like "
                                     "https://www.example.org/privacy."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.terms_url.data and not self.terms_version.data:   # (Optional stops it)
            self.terms_version.errors.append(str(_l(
                "Enter the version of the practice's terms, like 2026-11-01.")))
            ok = False
        return ok

    def validate_phone(self, field):
        check_us_phone(self, field)

    def validate_reply_to(self, field):
        field.normalized = email_address(field.data).lower()

    def validate_timezone(self, field):
        if field.data not in zoneinfo.available_timezones():
            raise ValidationError(_l("Choose a time zone from the list, like America/Chicago."))

    def validate_reasons(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one reason."))

    def values(self) -> dict:
        return {"name": self.name.data, "street": self.street.data or "",
                "city": self.city.data or "", "state": self.state.data or "",
                "zip_code": self.zip_code.data or "", "phone": self.phone.e164,
                "reply_to": self.reply_to.normalized, "timezone": self.timezone.data,
                "appointments_enabled": bool(self.appointments_enabled.data),
                "notify_new_requests": bool(self.notify_new_requests.data),
                "terms_url": self.terms_url.data or "",
                "terms_version": (self.terms_version.data or "") if self.terms_url.data else ""}


class ItemForm(AdminForm):
    """A provider: a name."""
    name = text(_l("Name"), 120, _l("Enter a name."), "off")


class LocationForm(ItemForm):
    address = text(_l("Address"), 250, None, "off")


ITEM_FORMS = {"provider": ItemForm, "location": LocationForm}
