"""A step is one object: a step made of a form class, a template and one line in STEPS
(README: "Adding a step") goes through the whole wizard, with and without JavaScript.
The indicator counts it, the review page shows it, and its values are kept in the
request's `step_values` and shown on the staff's request page."""
import jinja2
import pytest
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, SelectField
from wtforms.validators import Optional

from auth.hashing import verify_secret
from enrollment import steps, wizard
from enrollment.fields import text
from enrollment.forms import StepForm
from enrollment.models import EnrollmentRequest
from extensions import db
from tests.admin.conftest import Staff, create_staff
from tests.enrollment.flow_helpers import flow_data, location
from tests.state import all_rows
from tests.wizard import GOOD, Patient


# --- what a maintainer writes: a form, a template, one line in STEPS ---------------------

class EmergencyContactForm(StepForm):
    contact_name = text(_l("Contact name"), 120, autocomplete="off")
    contact_phone = text(_l("Contact phone number"), 25, autocomplete="off", type="tel")
    relationship = SelectField(_l("Relationship to you"), validate_choice=True,
                               validators=[Optional()],
                               choices=[("", _l("Choose")), ("spouse", _l("Spouse or partner")),
                                        ("friend", _l("Friend")), ("other", _l("Other"))])


TEMPLATE = """{% extends "enrollment/layout.html" %}
{% block heading %}Emergency contact (optional){% endblock %}
{% block step %}
{% from "macros/forms.html" import field, error_summary, step_header, step_form, start_over %}
{{ error_summary(form) }}
{{ step_header(self.heading(), step, steps) }}
{% call step_form(url_for("enrollment.post_step", name=step.name)) %}
{{ field(form.contact_name) }}{{ field(form.contact_phone) }}{{ field(form.relationship) }}
{% endcall %}
{{ start_over() }}
{% endblock %}
"""

EMERGENCY = steps.Step("emergency", _l("Emergency contact"), EmergencyContactForm)

# -----------------------------------------------------------------------------------------

CONTACT = {"contact_name": "Ada Delgado", "contact_phone": "(217) 555-0123",
           "relationship": "friend"}
SHIPPED = steps.STEPS


@pytest.fixture
def emergency_step(app, monkeypatch):
    """The flow with the new step after insurance, and its template where Flask finds it."""
    at = [s.name for s in SHIPPED].index("insurance") + 1
    monkeypatch.setattr(steps, "STEPS", (*SHIPPED[:at], EMERGENCY, *SHIPPED[at:]))
    loader = jinja2.ChoiceLoader([jinja2.DictLoader({EMERGENCY.template: TEMPLATE}),
                                  app.jinja_loader])
    monkeypatch.setattr(app, "jinja_loader", loader)
    return monkeypatch


def shown(patient, resp, htmx: bool) -> str:
    """The next step as the browser gets it: the swapped fragment, or the page the
    redirect leads to."""
    if htmx:
        assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
        return resp.get_data(as_text=True)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    return patient.get(location(resp)).get_data(as_text=True)


def staff_page(app, runner, request_id: int) -> str:
    create_staff(runner, "ana@riverside.example", "riverside-family")
    staff = Staff(app.test_client(), "ana@riverside.example")
    assert staff.sign_in().status_code == 303
    resp = staff.get(f"/admin/requests/{request_id}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_step_of_a_form_a_template_and_one_line_goes_all_the_way(
        app, client, runner, practices, emergency_step, htmx):
    patient = Patient(client, htmx=htmx)
    data = {**flow_data(practices["riverside-family"]), "emergency": CONTACT}
    order = [step.name for step in steps.STEPS]
    assert len(order) == 7
    html = ""
    for name, following in zip(order, order[1:]):
        html = shown(patient, patient.step(name, data[name]), htmx)
        title = steps.get(following).title
        assert f"Step {order.index(following) + 1} of 7: {title}" in html, following
        if following == "emergency":
            assert 'action="/enroll/emergency"' in html and "Contact phone number" in html
            wrong = patient.step("emergency", {**CONTACT, "relationship": "enemy"})
            assert wrong.status_code == 422   # its form's own validation, like any step
            assert "Not a valid choice" in wrong.get_data(as_text=True)
    # The review page: its section, its rows (a choice shown by its label), its Edit link.
    assert "Step 7 of 7" in html
    assert '<h2 id="r-emergency">Emergency contact</h2>' in html
    for label, value in (("Contact name", "Ada Delgado"),
                         ("Contact phone number", "(217) 555-0123"),
                         ("Relationship to you", "Friend")):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html
    assert 'href="/enroll/emergency?from=review"' in html   # Save comes back here

    done = patient.step("review", GOOD["review"], action="complete")
    assert "approval is pending" in shown(patient, done, htmx)
    (req,) = all_rows(app, EnrollmentRequest)
    assert req.step_values == {"emergency": CONTACT}
    assert req.first_name == "Maria" and req.account_id is not None   # the rest as ever

    page = staff_page(app, runner, req.id)
    assert ">Emergency contact</h2>" in page
    assert "<dt>Contact name</dt><dd>Ada Delgado</dd>" in page
    assert "<dt>Relationship to you</dt><dd>Friend</dd>" in page

    # The step leaves the flow later: what it kept is still on the staff's page, raw.
    emergency_step.setattr(steps, "STEPS", SHIPPED)
    page = app.test_client()
    staff = Staff(page, "ana@riverside.example")
    staff.sign_in()
    html = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert ">emergency</h2>" in html and "<dt>contact_name</dt><dd>Ada Delgado</dd>" in html


def test_the_shipped_flow_keeps_nothing_in_step_values(app, client, practices):
    Patient(client).complete_through("review", practices["hillcrest-internal"])
    (req,) = all_rows(app, EnrollmentRequest)
    assert req.step_values == {}
    with app.app_context():   # SQL NULL, not a JSON null: nothing for 0010's downgrade
        assert db.session.execute(sa.text(
            "SELECT COUNT(*) FROM enrollment_request WHERE step_values IS NULL")).scalar() == 1


class PinForm(StepForm):
    label = text(_l("Label"), 20)
    pin = PasswordField(_l("PIN"))


def test_a_generic_steps_secret_fields_are_hashed_never_kept_never_shown(app):
    step = steps.Step("pin", _l("PIN"), PinForm, secret_fields=("pin",))
    posted = MultiDict({"label": "door", "pin": "2468", "csrf_token": "x", "action": "next"})
    with app.test_request_context():
        form = PinForm(formdata=posted, meta={"csrf": False})
        values = step.clean(form)
        assert values["label"] == "door" and verify_secret(values["pin"], "2468")
        assert wizard.raw_values(step, posted) == {"label": ["door"]}   # no pin, no controls
        rows = [(str(label), str(value)) for label, value in step.review_rows(values, None)]
    assert rows == [("Label", "door"), ("PIN", "Set (not shown)")]


def test_a_step_refuses_an_option_it_does_not_have():
    with pytest.raises(TypeError, match="no option 'requried'"):
        steps.Step("x", "X", PinForm, requried=True)
    with pytest.raises(TypeError, match="no option 'template'"):
        steps.Step("x", "X", PinForm, template="other.html")
