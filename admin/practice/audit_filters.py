"""The audit trail's filters: a staff member, a request number, a date range in the
practice's time zone; combinable, read from the address (a GET form: ids and dates,
never patients' data)."""
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import ValidationError

import audit
from auth.clock import start_of_day
from enrollment.fields import text

from ..core import AdminForm, id_value
from ..requests.queries import get_request

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
BAD_DATE = _l("Enter the date like 2027-01-15.")


def _date(field):
    if not field.data:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(field.data, fmt).date()
        except ValueError:
            continue
    raise ValidationError(BAD_DATE)


class AuditFilterForm(AdminForm):
    """Every field optional; a bad value gets its own message (422), never a 500."""
    class Meta:
        csrf = False   # a GET form that changes nothing

    staff = SelectField(_l("Staff member"), validate_choice=False)
    request = text(_l("Request number"), 12, None, "off", inputmode="numeric")
    since = text(_l("From (date)"), 10, None, "off", type="date")
    until = text(_l("To (date)"), 10, None, "off", type="date")

    def offer(self, practice_id: int, members: list) -> "AuditFilterForm":
        self.practice_id = practice_id
        self.staff.choices = [("", _l("Everyone"))] + [(str(s.id), s.email) for s in members]
        self.subject = None
        return self

    def validate_staff(self, field):
        if (field.data or "") not in {value for value, _ in field.choices}:
            raise ValidationError(_l("Choose a staff member from the list."))

    def validate_request(self, field):
        if not field.data:
            return
        number = field.data.lstrip("#")
        if id_value(number) is None:
            raise ValidationError(_l("Enter a request number, like 1024."))
        self.subject = get_request(self.practice_id, int(number))
        if self.subject is None:
            raise ValidationError(_l("There is no request number %(n)s at this practice.",
                                     n=number))

    def validate_since(self, field):
        field.day = _date(field)

    def validate_until(self, field):
        field.day = _date(field)
        since = getattr(self.since, "day", None)
        if field.day and since and field.day < since:
            raise ValidationError(_l("The end date must be on or after the start date."))

    def filters(self, zone: str) -> audit.Filters:
        """The valid form as a query: the dates' days in the practice's zone, in UTC
        ([start of the first day, start of the day after the last))."""
        since, until = getattr(self.since, "day", None), getattr(self.until, "day", None)
        return audit.Filters(
            staff_id=int(self.staff.data) if self.staff.data else None,
            request_id=self.subject.id if self.subject is not None else None,
            since=start_of_day(since, zone) if since else None,
            until=start_of_day(until + timedelta(days=1), zone) if until else None)

    def args(self) -> dict:
        """The filters as the address holds them (for the pages' links)."""
        return {name: getattr(self, name).data for name in ("staff", "request", "since",
                                                             "until")
                if getattr(self, name).data}
