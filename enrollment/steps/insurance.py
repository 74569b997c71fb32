"""Insurance (optional) and the claim mailing address: left empty, or complete.  Its
own columns in the request; staff may reopen it."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from ..codes import RELATIONSHIPS, choices
from ..fields import ZIP, Needed, check_state, state_field, text
from ..forms import StepForm
from .base import CONTROL, EMPTY, Step, address

# form field -> request column
COLUMNS = {"carrier": "insurance_carrier", "member_id": "insurance_member_id",
           "group_number": "insurance_group", "subscriber_name": "subscriber_name",
           "relationship": "subscriber_relationship", "claim_street": "claim_street",
           "claim_line2": "claim_line2", "claim_city": "claim_city",
           "claim_state": "claim_state", "claim_zip": "claim_zip"}

REQUIRED = {
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
    # The page is empty (no insurance) or a plan; a plan needs the fields in REQUIRED
    # (Needed: no "(optional)"); the group number and line 2 are optional always.
    carrier = text(_l("Insurance company or plan"), 120, needed=True)
    member_id = text(_l("Member ID"), 40, needed=True)
    group_number = text(_l("Group number"), 40)
    subscriber_name = text(_l("Subscriber name"), 120, needed=True)
    relationship = SelectField(_l("Your relationship to the subscriber"),
                               choices=choices(RELATIONSHIPS, _l("Choose")),
                               validators=[Optional(), Needed()], validate_choice=False)
    claim_street = text(_l("Claim mailing street address"), 120, needed=True)
    claim_line2 = text(_l("Claim mailing address line 2"), 120)
    claim_city = text(_l("Claim mailing city"), 80, needed=True)
    claim_state = state_field(_l("Claim mailing state"), needed=True)
    claim_zip = text(_l("Claim mailing ZIP code"), 10, needed=True, inputmode="numeric")

    def is_empty(self) -> bool:
        return not any((f.data or "").strip() for f in self if f.name != "csrf_token")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.is_empty():
            return ok
        for name, message in REQUIRED.items():   # partly filled: complete it
            field = self[name]
            if not field.errors and not (field.data or "").strip():
                field.errors.append(message)
                ok = False
        for name in ("claim_state",):
            try:
                check_state(self[name])
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


class InsuranceStep(Step):
    form = InsuranceForm
    correctable = True

    def clean(self, form) -> dict:
        if form.is_empty():
            return {}
        return {f.name: f.data or "" for f in form if f.name not in CONTROL}

    def review_rows(self, values: dict, ctx) -> list:
        if not values:
            return [(_l("Insurance"), _l("None given"))]
        subscriber = "{} ({})".format(values.get("subscriber_name"),
                                      RELATIONSHIPS.get(values.get("relationship"), ""))
        return [
            (_l("Insurance company or plan"), values.get("carrier")),
            (_l("Member ID"), values.get("member_id")),
            (_l("Group number"), values.get("group_number") or EMPTY),
            (_l("Subscriber"), subscriber),
            (_l("Claim mailing address"), address(values, "claim_")),
        ]

    def write(self, values: dict, into) -> None:
        for key, column in COLUMNS.items():
            setattr(into.request, column, values.get(key) or "")

    def request_values(self, req) -> dict:
        return {key: getattr(req, column) or "" for key, column in COLUMNS.items()}

    def correction(self, values: dict, req) -> dict:
        return {column: values.get(key) or "" for key, column in COLUMNS.items()}
