"""Markup a browser and a screen reader rely on: autocomplete tokens and labels."""
import re

import pytest

from tests.wizard import Patient

PERSONAL_TOKENS = {"first_name": "given-name", "middle_name": "additional-name",
                   "last_name": "family-name", "street": "address-line1",
                   "line2": "address-line2", "city": "address-level2",
                   "state": "address-level1", "zip_code": "postal-code", "phone": "tel",
                   "date_of_birth": "bday", "email": "email"}
CREDENTIAL_TOKENS = {"username": "username", "password": "new-password",
                     "confirm": "new-password"}


def control(html: str, name: str) -> str:
    match = re.search(r'<(?:input|select)\b[^>]*\bname="%s"[^>]*>' % name, html)
    assert match, name
    return match.group(0)


@pytest.mark.parametrize("step,tokens", [("personal", PERSONAL_TOKENS),
                                         ("credentials", CREDENTIAL_TOKENS)])
def test_every_field_has_its_autocomplete_token(client, practices, step, tokens):
    patient = Patient(client)
    before = {"personal": "practice", "credentials": "insurance"}[step]
    patient.complete_through(before, practices["hillcrest-internal"])
    html = patient.get(f"/enroll/{step}").get_data(as_text=True)
    for name, token in tokens.items():
        assert f'autocomplete="{token}"' in control(html, name), name
        field_id = re.search(r'id="([^"]+)"', control(html, name)).group(1)
        assert f'<label for="{field_id}">' in html, name


@pytest.mark.parametrize("posted", [{}, {"state": "IL"}, {"state": ""}, {"state": '"><x>'}])
def test_cached_state_select_renders_exactly_as_wtforms_does(app, posted):
    from werkzeug.datastructures import MultiDict
    from wtforms import widgets

    from enrollment.steps.personal import PersonalForm
    with app.test_request_context():
        for _ in range(2):   # the second render comes from the cache
            field = PersonalForm(formdata=MultiDict(posted)).state
            assert str(field()) == str(widgets.Select()(field, **field.render_kw))


def test_the_practice_list_starts_with_a_prompt(client, practices):
    """A first option that says what to do (an empty one is not valid HTML), sent as
    nothing: choosing it is the usual "Choose your practice." error."""
    html = Patient(client).get("/enroll/practice").get_data(as_text=True)
    select = re.search(r'<select\b[^>]*name="practice".*?</select>', html, re.S).group(0)
    first = re.search(r"<option\b([^>]*)>([^<]*)</option>", select)
    assert first.group(2) == "Choose your practice" and 'value=""' in first.group(1)
    resp = Patient(client).post("/enroll/practice", {"practice": "", "action": "next"})
    assert resp.status_code == 422 and "Choose your practice." in resp.get_data(as_text=True)
