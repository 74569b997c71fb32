"""Step: what a step of the wizard does unless its class says otherwise.

A step made of a form alone, `Step("emergency", _l("Emergency contact"), EmergencyForm)`,
keeps its fields' values in the draft (secret fields hashed), shows them on the review
page under its title, and is written into the request's generic `step_values` (JSON,
keyed by step name), which the staff's request page lists.  A step with columns of its
own, or rules that reach other steps, is a subclass that overrides the hooks below.
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.validators import Length

from auth.hashing import hash_secret

CONTROL = frozenset({"csrf_token", "action"})
EMPTY = "—"
# What a draft keeps of a field without a length of its own (a choice, a date, a box),
# and of a list of choices: more is not something its form would accept.
VALUE_MAX, CHOICES_MAX = 254, 20


class Submission:
    """What the steps write into at submission (enrollment/submit.py): the request, the
    patient's account, the draft (for its password hash) and the generic values."""

    def __init__(self, request, account, draft):
        self.request, self.account, self.draft = request, account, draft
        self.step_values = {}


class Step:
    form = None               # the step's form class (an enrollment.forms.StepForm)
    human_check = False       # the human check (enrollment/human_check.py) is on this step
    # Never saved in the draft (not even on Back), never filled back in; hashed on accept.
    secret_fields = ()
    # Fields whose change asks for the password again (the password is checked against
    # them), and whether this step is the one that sets the password.
    password_context = ()
    holds_password = False
    # Why the password is asked again when password_context changed (one sentence).
    password_again = None
    # Staff may ask the patient to correct this step after submission ("needs
    # information"): the step then says how its values are read back from the request
    # and written into it (request_values, correction).
    correctable = False
    # The last step: accepting it finishes the enrollment (submit, or the appointment).
    final = False
    # Holds personal information: a returning browser must prove it is the patient
    # before seeing it (enrollment/drafts.py).
    personal = True
    # Notices left for this step (wizard.leave_notice): code -> (field, message).
    notices = {}

    def __init__(self, name: str, title, form=None, **options):
        self.name, self.title = name, title
        if form is not None:
            self.form = form
        for key, value in options.items():   # the class attributes above, nothing else
            default = getattr(type(self), key, None)
            if key.startswith("_") or not hasattr(type(self), key) or \
                    callable(default) or isinstance(default, property):
                raise TypeError(f"Step has no option {key!r}")
            setattr(self, key, value)
        if self.form is None:
            raise TypeError(f"step {name!r} has no form")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    @property
    def template(self) -> str:
        """The step's page, with a block "step" (the fragment htmx swaps in)."""
        return f"enrollment/{self.name}.html"

    @property
    def fields_template(self) -> str:
        """Its fields alone: the correction page (account/correct.html) includes it."""
        return f"enrollment/_{self.name}_fields.html"

    # --- the wizard ----------------------------------------------------------------------

    def field_limits(self) -> dict:
        """The step's own fields: name -> (longest value kept, most values kept), from
        the form's own limits (its Length validators).  Worked out once per step."""
        limits = self.__dict__.get("_field_limits")
        if limits is None:
            limits = {}
            for field in self.form(formdata=None, meta={"csrf": False}):
                lengths = [v.max for v in field.validators if isinstance(v, Length)
                           and v.max is not None and v.max > 0]
                many = CHOICES_MAX if isinstance(field, SelectMultipleField) else 1
                limits[field.name] = (min(lengths, default=VALUE_MAX), many)
            self._field_limits = limits
        return limits

    def prepare(self, form) -> None:
        """Set the form up for this request (choices read from the database)."""

    def clean(self, form) -> dict:
        """The valid form's values as kept in the draft and submitted (JSON): dates as
        ISO strings, secret fields hashed.  May hash, so it runs before the write."""
        values = {}
        for field in form:
            if field.name in CONTROL:
                continue
            data = field.data
            if field.name in self.secret_fields:
                data = hash_secret(data) if data else ""
            elif isinstance(data, date):
                data = data.isoformat()
            values[field.name] = data
        return values

    def refused(self, draft, form, validated: bool = True) -> None:
        """A refused post (422; `validated` False: not even validated, a stale form):
        what the step keeps of what was typed before the page is shown again, and what
        it will not show back (nothing by default: values are kept for the page)."""

    def keep(self, draft, form) -> None:
        """Inside the accepting transaction: what the step keeps on the draft besides
        its values (the password hash)."""

    def share(self, values: dict) -> dict:
        """Facts from this step's saved values that other steps' rules read (the
        WizardContext): the practice, the name, the username, the questions."""
        return {}

    def birth_date(self, values: dict, typed: dict) -> str | None:
        """The date of birth a returning browser must give (ISO), from the saved
        values, else from what was typed; None if this step has none."""
        return None

    def stale(self, ctx) -> str | None:
        """A notice code when the saved values no longer hold (a closed practice)."""
        return None

    def show_notice(self, form, code: str) -> None:
        if code in self.notices:
            field, message = self.notices[code]
            form[field].errors = [str(message)]

    def conflict(self, error: str) -> str | None:
        """A notice code when submission failed on a unique value of this step's (the
        username); `error` is the database's message."""
        return None

    def page_context(self, draft, ctx) -> dict:
        """What the step's template needs besides the form (the review sections)."""
        return {}

    # --- the review page and the staff's request page ------------------------------------

    def review_rows(self, values: dict, ctx) -> list:
        """(label, value) rows; ctx is None on the staff's request page."""
        form = self.form(formdata=None, meta={"csrf": False})
        rows = []
        for field in form:
            if field.name in CONTROL or field.name not in values:
                continue
            if field.name in self.secret_fields:
                rows.append((field.label.text, _l("Set (not shown)")))
            else:
                rows.append((field.label.text, _display(field, values[field.name])))
        return rows

    # --- submission and corrections ------------------------------------------------------

    def write(self, values: dict, into: Submission) -> None:
        """Into the request: by default the generic `step_values`, keyed by step name."""
        into.step_values[self.name] = values

    def request_values(self, req) -> dict:
        """A correctable step's values read back from the request, as form data."""
        raise NotImplementedError(f"step {self.name!r} is not correctable")

    def correction(self, values: dict, req) -> dict:
        """A correctable step's clean values as the request's columns to update."""
        raise NotImplementedError(f"step {self.name!r} is not correctable")


def _display(field, value) -> str:
    """A saved value as the patient chose it: a choice's label, yes or no, a list."""
    labels = {}
    for choice in getattr(field, "choices", None) or ():
        key, label = (choice[0], choice[1]) if isinstance(choice, tuple) else (choice, choice)
        labels[str(key)] = label
    if isinstance(value, bool):
        return _l("Yes") if value else _l("No")
    if isinstance(value, list):
        return ", ".join(str(labels.get(str(v), v)) for v in value) or EMPTY
    if value in (None, ""):
        return EMPTY
    return labels.get(str(value), value)


def address(values: dict, prefix: str = "") -> str:
    """Street, line 2, city, state and ZIP on one line, whatever is filled in."""
    parts = [values.get(prefix + "street"), values.get(prefix + "line2"),
             values.get(prefix + "city"),
             " ".join(p for p in (values.get(prefix + "state"), values.get(prefix + "zip")
                                  or values.get(prefix + "zip_code")) if p)]
    return ", ".join(p for p in parts if p)
