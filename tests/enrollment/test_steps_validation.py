"""Each step's validation: valid input advances; each rule broken gives 422 with the error
beside the field and in the summary, the values kept (never passwords) and a focus target.
Every case runs as a plain browser post and as an htmx post.  Practice, personal
information and insurance here; the credentials and security questions are in
test_steps_validation_account.py, the review and the appointment request in
test_steps_validation_review.py."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from enrollment import drafts
from enrollment.models import Practice
from extensions import db
from tests.wizard import GOOD, Patient, read_page
from tests.enrollment.validation_helpers import (RIVERSIDE, HILLCREST, MODES, DROP,
    FULL_INSURANCE, body, years_ago, patient_at, with_changes, assert_advanced,
    assert_rejected, draft_of)


# --- Practice ----------------------------------------------------------------------------

@MODES
@pytest.mark.parametrize("slug", [RIVERSIDE, HILLCREST])
def test_practice_valid_advances(client, practices, htmx, slug):
    patient = Patient(client, htmx=htmx)
    resp = patient.step("practice", {"practice": str(practices[slug])})
    assert_advanced(resp, "personal", htmx)


@MODES
@pytest.mark.parametrize("value, message", [
    ("", "Choose your practice."),
    ("999999", "Choose a practice from the list."),
    ("abc", "Choose a practice from the list."),
    ("-1", "Choose a practice from the list."),
    ("1.0", "Choose a practice from the list."),
    (" 1", "Choose a practice from the list."),
], ids=["missing", "unknown-id", "not-a-number", "negative", "float", "spaced"])
def test_practice_rules(client, practices, htmx, value, message):
    patient = Patient(client, htmx=htmx)
    resp = patient.step("practice", {"practice": value})
    assert_rejected(resp, "practice", message, htmx)
    assert client.get_cookie(drafts.DRAFT_COOKIE, path="/enroll") is None  # nothing saved


@MODES
def test_inactive_practice_refused(app, client, practices, htmx):
    with app.app_context():
        db.session.execute(sa.update(Practice).where(Practice.slug == HILLCREST)
                           .values(active=False))
        db.session.commit()
    patient = Patient(client, htmx=htmx)
    page = body(patient.get("/enroll/practice"))
    assert "Hillcrest" not in page and "Riverside" in page
    resp = patient.step("practice", {"practice": str(practices[HILLCREST])})
    assert_rejected(resp, "practice", "Choose a practice from the list.", htmx)


# --- Personal information -----------------------------------------------------------------

@MODES
def test_personal_valid_advances(client, practices, htmx):
    patient = patient_at(client, practices, "personal", htmx)
    assert_advanced(patient.step("personal"), "insurance", htmx)


def _too_young(min_age):
    return years_ago(min_age, days=-1).isoformat()


PERSONAL_RULES = [
    ("first_name", "", "Enter your first name."),
    ("first_name", "   ", "Enter your first name."),
    ("first_name", DROP, "Enter your first name."),
    ("first_name", "M" * 61, "Use 60 characters or fewer."),
    ("first_name", "Ma\x00ria", "Remove the special characters from this field."),
    ("middle_name", "Q" * 61, "Use 60 characters or fewer."),
    ("last_name", "", "Enter your last name."),
    ("street", "", "Enter your street address."),
    ("street", "12 Elm\x07 Street", "Remove the special characters from this field."),
    ("line2", "Apt\n3", "Remove the special characters from this field."),
    ("city", "", "Enter your city."),
    ("city", "C" * 81, "Use 80 characters or fewer."),
    ("state", "", "Choose your state."),
    ("state", "XX", "Choose a state from the list."),
    ("state", "Illinois", "Choose a state from the list."),
    ("zip_code", "", "Enter your ZIP code."),
    ("zip_code", "1234", "Enter a 5-digit ZIP code, like 12345."),
    ("zip_code", "ABCDE", "Enter a 5-digit ZIP code, like 12345."),
    ("zip_code", "62701-12", "Enter a 5-digit ZIP code, like 12345."),
    ("zip_code", "627011", "Enter a 5-digit ZIP code, like 12345."),
    ("phone", "", "Enter your phone number."),
    ("phone", "555-0199", "Enter a phone number with area code"),
    ("phone", "not a phone", "Enter a phone number with area code"),
    ("phone", "(217) 555-019", "Enter a phone number with area code"),
    ("phone", "(000) 555-0199", "Enter a phone number with area code"),
    ("date_of_birth", "", "Enter your date of birth."),
    ("date_of_birth", "not a date", "Enter a real date of birth"),
    ("date_of_birth", "1984-02-30", "Enter a real date of birth"),
    ("date_of_birth", "13/45/1984", "Enter a real date of birth"),
    ("date_of_birth", lambda age: (date.today() + timedelta(days=1)).isoformat(),
     "Date of birth must be a real date in the past."),
    ("date_of_birth", lambda age: date.today().isoformat(),
     "Date of birth must be a real date in the past."),
    ("date_of_birth", "2999-01-01", "Date of birth must be a real date in the past."),
    ("date_of_birth", "1850-01-01", "Date of birth must be a real date in the past."),
    ("date_of_birth", lambda age: years_ago(10).isoformat(),
     "A parent or guardian should contact the practice"),
    ("date_of_birth", _too_young, "A parent or guardian should contact the practice"),
    ("email", "", "Enter your email address."),
    ("email", "maria.d@", "Enter an email address like name@example.com."),
    ("email", "maria d@example.org", "Enter an email address like name@example.com."),
    ("email", "maria@example", "Enter an email address like name@example.com."),
    ("email", "@example.org", "Enter an email address like name@example.com."),
]


@MODES
@pytest.mark.parametrize("field, value, message", PERSONAL_RULES,
                         ids=[f"{f}-{i}" for i, (f, _v, _m) in enumerate(PERSONAL_RULES)])
def test_personal_rules(app, client, practices, htmx, field, value, message):
    if callable(value):
        value = value(app.config["MIN_PATIENT_AGE"])
    patient = patient_at(client, practices, "personal", htmx)
    sent = with_changes(GOOD["personal"], {field: value})
    resp = patient.step("personal", sent)
    skip = {field} if field in ("state",) else set()
    assert_rejected(resp, field, message, htmx, sent, skip)
    assert "personal" not in draft_of(app, client)["done"]


def test_too_young_message_names_the_age_and_a_guardian(app, client, practices):
    patient = patient_at(client, practices, "personal", False)
    resp = patient.step("personal", {**GOOD["personal"],
                                     "date_of_birth": years_ago(16).isoformat()})
    text = read_page(body(resp)).texts["date_of_birth-error"]
    age = app.config["MIN_PATIENT_AGE"]
    assert f"You must be {age} or older" in text
    assert "A parent or guardian should contact the practice" in text


@MODES
@pytest.mark.parametrize("typed, stored", [
    ("1984-03-09", "1984-03-09"),
    ("03/09/1984", "1984-03-09"),
    ("3/9/1984", "1984-03-09"),
    ("12-31-1970", "1970-12-31"),
])
def test_date_of_birth_formats_accepted(app, client, practices, htmx, typed, stored):
    patient = patient_at(client, practices, "personal", htmx)
    resp = patient.step("personal", {**GOOD["personal"], "date_of_birth": typed})
    assert_advanced(resp, "insurance", htmx)
    assert draft_of(app, client)["clean"]["personal"]["date_of_birth"] == stored


def test_exactly_minimum_age_accepted(app, client, practices):
    patient = patient_at(client, practices, "personal", False)
    born = years_ago(app.config["MIN_PATIENT_AGE"])
    resp = patient.step("personal", {**GOOD["personal"], "date_of_birth": born.isoformat()})
    assert_advanced(resp, "insurance", False)


@pytest.mark.parametrize("typed", ["(217) 555-0199", "217.555.0199", "+1 217 555 0199",
                                   "2175550199", "1-217-555-0199"])
def test_phone_stored_e164_and_shown_national(app, client, practices, typed):
    patient = patient_at(client, practices, "personal", False)
    assert_advanced(patient.step("personal", {**GOOD["personal"], "phone": typed}),
                    "insurance", False)
    assert draft_of(app, client)["clean"]["personal"]["phone"] == "+12175550199"
    patient.complete_through("security", practices[RIVERSIDE])
    review = read_page(body(patient.get("/enroll/review")))
    assert "(217) 555-0199" in " ".join(review.texts.values())


def test_personal_values_trimmed_and_email_normalised(app, client, practices):
    patient = patient_at(client, practices, "personal", False)
    sent = {**GOOD["personal"], "first_name": "  Maria ", "city": " Springfield  ",
            "email": "Maria.D@EXAMPLE.org", "zip_code": "62701-1234"}
    assert_advanced(patient.step("personal", sent), "insurance", False)
    clean = draft_of(app, client)["clean"]["personal"]
    assert clean["first_name"] == "Maria" and clean["city"] == "Springfield"
    assert clean["email"] == "Maria.D@example.org"
    assert clean["zip_code"] == "62701-1234"


def test_personal_optional_fields_may_be_left_out(app, client, practices):
    patient = patient_at(client, practices, "personal", False)
    sent = with_changes(GOOD["personal"], {"middle_name": DROP, "line2": DROP})
    assert_advanced(patient.step("personal", sent), "insurance", False)
    clean = draft_of(app, client)["clean"]["personal"]
    assert clean["middle_name"] in ("", None) and clean["line2"] in ("", None)


# --- Insurance ---------------------------------------------------------------------------

@MODES
def test_insurance_empty_allowed(app, client, practices, htmx):
    patient = patient_at(client, practices, "insurance", htmx)
    blank = {name: "" for name in FULL_INSURANCE}
    assert_advanced(patient.step("insurance", blank), "credentials", htmx)
    assert draft_of(app, client)["clean"]["insurance"] == {}


def test_insurance_only_spaces_counts_as_empty(app, client, practices):
    patient = patient_at(client, practices, "insurance", False)
    assert_advanced(patient.step("insurance", {name: "   " for name in FULL_INSURANCE}),
                    "credentials", False)
    assert draft_of(app, client)["clean"]["insurance"] == {}


@MODES
def test_insurance_complete_accepted(app, client, practices, htmx):
    patient = patient_at(client, practices, "insurance", htmx)
    assert_advanced(patient.step("insurance", FULL_INSURANCE), "credentials", htmx)
    clean = draft_of(app, client)["clean"]["insurance"]
    assert clean["member_id"] == "XZP123456789" and clean["relationship"] == "self"


def test_insurance_group_number_optional_when_filled(app, client, practices):
    patient = patient_at(client, practices, "insurance", False)
    sent = {**FULL_INSURANCE, "group_number": ""}
    assert_advanced(patient.step("insurance", sent), "credentials", False)


INSURANCE_MISSING = [
    ("carrier", "Enter the insurance company or plan."),
    ("member_id", "Enter the member ID from the insurance card."),
    ("subscriber_name", "Enter the name of the person who holds the insurance."),
    ("relationship", "Choose your relationship to the subscriber."),
    ("claim_street", "Enter the claim mailing street address."),
    ("claim_city", "Enter the claim mailing city."),
    ("claim_state", "Choose the claim mailing state."),
    ("claim_zip", "Enter the claim mailing ZIP code."),
]
INSURANCE_RULES = [(f, "", m) for f, m in INSURANCE_MISSING] + [
    ("relationship", "cousin", "Choose a relationship from the list."),
    ("relationship", "SELF", "Choose a relationship from the list."),
    ("claim_zip", "6060", "Enter a 5-digit ZIP code, like 12345."),
    ("claim_zip", "six0601", "Enter a 5-digit ZIP code, like 12345."),
    ("claim_state", "ZZ", "Choose a state from the list."),
    ("carrier", "C" * 121, "Use 120 characters or fewer."),
    ("member_id", "XZP\x00123", "Remove the special characters from this field."),
]


@MODES
@pytest.mark.parametrize("field, value, message", INSURANCE_RULES,
                         ids=[f"{f}-{i}" for i, (f, _v, _m) in enumerate(INSURANCE_RULES)])
def test_insurance_rules(app, client, practices, htmx, field, value, message):
    patient = patient_at(client, practices, "insurance", htmx)
    sent = {**FULL_INSURANCE, field: value}
    resp = patient.step("insurance", sent)
    skip = {field} if field in ("relationship", "claim_state") else set()
    assert_rejected(resp, field, message, htmx, sent, skip)
    assert "insurance" not in draft_of(app, client)["done"]


def test_insurance_partly_filled_asks_for_the_rest(client, practices):
    patient = patient_at(client, practices, "insurance", False)
    resp = patient.step("insurance", {"carrier": "Blue Prairie PPO"})
    assert resp.status_code == 422
    page = read_page(body(resp))
    for field, message in INSURANCE_MISSING[1:]:
        assert message in page.texts[f"{field}-error"]
        assert message in page.texts["error-summary"]
    assert "carrier-error" not in page.texts and "group_number-error" not in page.texts
    assert page.values["carrier"] == ["Blue Prairie PPO"]
