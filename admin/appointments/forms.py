"""Approve an appointment (a date and time in the practice's zone, a provider and a
location where the practice lists them) or decline it (a reason code, an internal note).
Field names of their own: their ids never meet the enrollment's reject form's."""
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

from enrollment.codes import APPOINTMENT_DECLINE_REASONS
from enrollment.fields import text

from ..core import AdminForm

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y")
TIME_FORMATS = ("%H:%M", "%I:%M %p", "%I:%M%p", "%I %p", "%I%p")


def _parse(raw: str, formats) -> datetime | None:
    for fmt in formats:
        try:
            return datetime.strptime(raw.strip().upper(), fmt)
        except ValueError:
            continue
    return None


class ApproveAppointmentForm(AdminForm):
    appt_day = StringField(_l("Date"), render_kw={"type": "date", "autocomplete": "off"})
    appt_clock = StringField(_l("Time"), render_kw={"type": "time", "autocomplete": "off",
                                                 "step": "300"})
    appt_provider = SelectField(_l("Provider"), validate_choice=False)
    appt_location = SelectField(_l("Location"), validate_choice=False)
    day_value: date | None = None
    time_value: time | None = None

    def offer(self, practice, appt=None) -> "ApproveAppointmentForm":
        """The practice's providers and locations; the patient's preference first
        chosen (a field is left out when the practice lists none)."""
        blank = [("", _l("Choose"))]
        self.appt_provider.choices = blank + [(str(p.id), p.name)
                                              for p in practice.providers]
        self.appt_location.choices = blank + [(str(loc.id), loc.name)
                                              for loc in practice.locations]
        if appt is not None and self.appt_provider.data is None and appt.provider_id:
            self.appt_provider.data = str(appt.provider_id)
        if appt is not None and self.appt_location.data is None and appt.location_id:
            self.appt_location.data = str(appt.location_id)
        for name in ("appt_day", "appt_clock", "appt_provider", "appt_location"):
            if name in ("appt_provider", "appt_location") and len(self[name].choices) == 1:
                delattr(self, name)
            else:
                self[name].flags.required = True
        return self

    def validate_appt_day(self, field):
        parsed = _parse(field.data or "", DATE_FORMATS)
        if parsed is None:
            raise ValidationError(_l("Enter the date like 2027-01-15 or 01/15/2027."))
        self.day_value = parsed.date()

    def validate_appt_clock(self, field):
        parsed = _parse(field.data or "", TIME_FORMATS)
        if parsed is None:
            raise ValidationError(_l("Enter the time like 09:00 or 2:30 PM."))
        self.time_value = parsed.time()

    def validate_appt_provider(self, field):
        self._chosen(field, _l("Choose the provider."))

    def validate_appt_location(self, field):
        self._chosen(field, _l("Choose the location."))

    @staticmethod
    def _chosen(field, message):
        if field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError(message)

    def chosen(self, practice) -> tuple:
        """(provider, location) objects of the practice, or None where not offered."""
        provider = location = None
        if "appt_provider" in self:
            provider = next(p for p in practice.providers
                            if str(p.id) == self.appt_provider.data)
        if "appt_location" in self:
            location = next(loc for loc in practice.locations
                            if str(loc.id) == self.appt_location.data)
        return provider, location


class DeclineAppointmentForm(AdminForm):
    decline_reason = SelectField(_l("Why it cannot be booked (the patient is told this)"),
                                 validate_choice=False)
    decline_note = text(_l("Internal note (never sent to the patient)"), 1000, None, "off",
                multiline=True, rows=2)

    def offer(self, codes: list[str]) -> "DeclineAppointmentForm":
        self.decline_reason.choices = [("", _l("Choose a reason"))] + [
            (code, APPOINTMENT_DECLINE_REASONS[code]) for code in codes]
        self.decline_reason.flags.required = True
        return self

    def validate_decline_reason(self, field):
        if field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError(_l("Choose a reason from the list."))
