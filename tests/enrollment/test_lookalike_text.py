"""Rule 8: text that looks like something else.  Every text field (the patient's steps,
the staff's forms that take names) refuses the bidirectional controls U+202A-202E and
U+2066-2069 with a clear message, and drops invisible characters (U+00AD, U+200B,
U+FEFF, U+2060, U+180E, the invisible operators, the marks U+200E/200F/061C) without a
word; the joiners U+200C and U+200D stay.  Property tests, then through the forms."""
import pytest
import sqlalchemy as sa
from hypothesis import given, strategies as st
from werkzeug.datastructures import MultiDict

from enrollment.fields import BIDI_CONTROLS, INVISIBLE, JOINERS, drop_invisible
from enrollment.models import Draft, Provider
from enrollment.steps.personal import PersonalForm
from extensions import db
from tests.account.conftest import make_staff  # noqa: F401  (fixture)
from tests.wizard import GOOD, Patient

DIRECTION = "change the direction of the text"
# Letters of many scripts, digits, spaces and marks: what real names are made of.
NAMES = st.text(st.characters(categories=("Lu", "Ll", "Lo", "Mn", "Nd", "Zs")),
                min_size=1, max_size=40)


def with_inserted(draw, text: str, pool) -> str:
    chars = list(text)
    for _ in range(draw(st.integers(0, 5))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(sorted(pool))))
    return "".join(chars)


@given(st.text())
def test_dropping_removes_only_the_invisible(value):
    kept = drop_invisible(value)
    assert not set(kept) & INVISIBLE
    assert kept == "".join(c for c in value if c not in INVISIBLE)
    assert drop_invisible(kept) == kept


@given(st.data(), NAMES)
def test_joiners_stay_and_invisibles_go(data, name):
    typed = with_inserted(data.draw, name, INVISIBLE | JOINERS)
    kept = drop_invisible(typed)
    assert kept == "".join(c for c in typed if c not in INVISIBLE)
    assert [c for c in kept if c in JOINERS] == [c for c in typed if c in JOINERS]


def _errors(app, first_name: str) -> list:
    with app.test_request_context(method="POST"):
        form = PersonalForm(formdata=MultiDict({"first_name": first_name}),
                            meta={"csrf": False})
        form.validate()
        return [str(e) for e in form.first_name.errors], form.first_name.data


@given(st.data(), NAMES)
def test_a_direction_control_is_refused_anything_else_named_is_kept(app, data, name):
    plain = with_inserted(data.draw, name, INVISIBLE | JOINERS)
    errors, kept = _errors(app, plain)
    assert not any(DIRECTION in e for e in errors)
    assert kept == drop_invisible(plain).strip()
    spoofed = with_inserted(data.draw, plain, BIDI_CONTROLS)
    if set(spoofed) & BIDI_CONTROLS:
        errors, _ = _errors(app, spoofed)
        assert any(DIRECTION in e for e in errors), errors


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_the_wizard_refuses_a_direction_control_and_keeps_nothing_of_it(
        app, client, practices, htmx):
    patient = Patient(client, htmx=htmx)
    patient.complete_through("practice", practices["riverside-family"])
    resp = patient.step("personal", {**GOOD["personal"], "last_name": "Del\u202egado",
                                     "street": "12 Elm\u2066 Street"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and html.count(DIRECTION) >= 2
    with app.app_context():
        draft = db.session.execute(sa.select(Draft)).scalar_one()
        assert "personal" not in draft.clean


def test_the_wizard_drops_invisibles_and_keeps_joiners(app, client, practices):
    patient = Patient(client)
    patient.complete_through("practice", practices["riverside-family"])
    resp = patient.step("personal", {**GOOD["personal"],
                                     "first_name": "Ma\u00adri\u200ba\ufeff",
                                     "last_name": "\u0645\u06cc\u200c\u0631\u0632\u0627",
                                     "city": "Spring\u2060field\u180e",
                                     "middle_name": "\u200eAnn\u200f"})
    assert resp.status_code == 303
    with app.app_context():
        clean = db.session.execute(sa.select(Draft)).scalar_one().clean["personal"]
    assert clean["first_name"] == "Maria" and clean["city"] == "Springfield"
    assert clean["last_name"] == "\u0645\u06cc\u200c\u0631\u0632\u0627"   # ZWNJ kept
    assert clean["middle_name"] == "Ann"


def test_other_format_characters_and_line_separators_are_refused(app):
    for typed in ("Maria\u2028Delgado", "Maria\U000e0041", "Maria\ufff9"):
        errors, _ = _errors(app, typed)
        assert errors == ["Remove the special characters from this field."], typed


def test_staff_forms_that_take_names_follow_the_same_rules(app, practices,
                                                           make_staff):  # noqa: F811
    admin = make_staff("ada@riverside.example", admin=True)
    add = "/admin/settings/provider/add"
    resp = admin.post(add, {"new-provider-name": "Dr.\u202e Ana Ruiz"})
    assert resp.status_code == 422 and DIRECTION in resp.get_data(as_text=True)
    resp = admin.post(add, {"new-provider-name": "Dr. Ana\u200b Ruiz"})
    assert resp.status_code in (200, 303)
    with app.app_context():
        names = db.session.execute(sa.select(Provider.name)).scalars().all()
    assert "Dr. Ana Ruiz" in names and not any("\u202e" in n for n in names)
