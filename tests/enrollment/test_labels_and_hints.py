"""Issue 14, items 3 and 4: labels tell the truth, and every example passes its field.

"(optional)" is on exactly the fields that are optional in every case: not on the five
security questions and answers (required; a blank answer keeps the saved one), not on
the insurance fields a plan needs (the page says its rule once, at the top).  Every
hint and message that gives an example ("like 201 555 0123", "for example 04/27/1980")
is rendered, and its example is posted in its own field: the field takes it, in
English and in Spanish."""
import re

import pytest

from tests.wizard import GOOD, Patient, read_page

# The fields optional in every case, per step page; every other field has no marker.
OPTIONAL = {"personal": {"middle_name", "line2"},
            "insurance": {"group_number", "claim_line2"},
            "credentials": set(), "security": set()}
LABEL_RE = re.compile(r'<label for="([^"]+)">(.*?)</label>', re.S)
EXAMPLE_RE = {"en": re.compile(r"(?:like|for example),? (\S.*?)\.?$"),
              "es": re.compile(r"(?:como|por ejemplo),? (\S.*?)(?: \(.*\))?\.?$")}


def labels(html: str) -> dict:
    return {ident: "(optional)" in text or "(opcional)" in text
            for ident, text in LABEL_RE.findall(html)}


def at(client, practices, last: str) -> Patient:
    patient = Patient(client)
    patient.complete_through(last, practices["riverside-family"])
    return patient


@pytest.mark.parametrize("step", list(OPTIONAL))
def test_optional_only_where_it_is_optional_in_every_case(client, practices, step):
    before = {"personal": "practice", "insurance": "personal", "credentials": "insurance",
              "security": "credentials"}[step]
    page = at(client, practices, before).get(f"/enroll/{step}").get_data(as_text=True)
    marked = labels(page)
    assert marked, "no labels found"
    assert {k for k, v in marked.items() if v} == OPTIONAL[step], marked


def test_the_insurance_page_says_its_rule_once_at_the_top(client, practices):
    page = at(client, practices, "personal").get("/enroll/insurance").get_data(as_text=True)
    rule = read_page(page).texts["insurance-rule"]
    assert "leave this page empty" in rule and "not marked “(optional)”" in rule
    assert page.index('id="insurance-rule"') < page.index("<form")
    assert page.count("leave this page empty") == 1


def test_the_insurance_rule_holds_as_labelled(client, practices):
    """A plan with every unmarked field filled and the "(optional)" ones empty passes;
    leaving out one unmarked field fails on that field."""
    patient = at(client, practices, "personal")
    plan = {"carrier": "Acme Health", "member_id": "XJ1234", "group_number": "",
            "subscriber_name": "Maria Delgado", "relationship": "self",
            "claim_street": "PO Box 1", "claim_line2": "", "claim_city": "Austin",
            "claim_state": "TX", "claim_zip": "73301"}
    page = patient.get("/enroll/insurance").get_data(as_text=True)
    for name, optional in labels(page).items():
        if not optional:
            resp = patient.step("insurance", {**plan, name: ""})
            assert resp.status_code == 422 and f'id="{name}-error"' in resp.get_data(
                as_text=True), name
    assert patient.step("insurance", plan).status_code == 303


# --- item 4 -------------------------------------------------------------------------------

def examples(html: str, lang: str) -> dict:
    """field -> the example its hint gives."""
    page = read_page(html)
    found = {}
    for ident, text in page.texts.items():
        if ident.endswith("-hint"):
            match = EXAMPLE_RE[lang].search(text.strip())
            if match:
                found[ident.removesuffix("-hint")] = match.group(1)
    return found


def error_example(resp, field: str, lang: str) -> str | None:
    text = read_page(resp.get_data(as_text=True)).texts.get(f"{field}-error", "")
    match = EXAMPLE_RE[lang].search(text.strip())
    return match.group(1) if match else None


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_example_passes_its_own_field(client, practices, lang):
    patient = at(client, practices, "practice")
    if lang == "es":
        client.set_cookie("lang", "es_US", path="/")
    page = patient.get("/enroll/personal").get_data(as_text=True)
    given = examples(page, lang)
    assert {"phone", "date_of_birth"} <= set(given), given
    # The messages a wrong value gets give examples too: they must pass as well.
    wrong = {"phone": "12", "date_of_birth": "31/31/1990", "zip_code": "1",
             "email": "not-an-address"}
    for field, value in wrong.items():
        resp = patient.step("personal", {**GOOD["personal"], field: value})
        assert resp.status_code == 422
        example = error_example(resp, field, lang)
        assert example, (field, read_page(resp.get_data(as_text=True)).texts.get(
            f"{field}-error"))
        given[field + " (message)"] = example
    for key, example in given.items():
        field = key.removesuffix(" (message)")
        resp = patient.step("personal", {**GOOD["personal"], field: example})
        errors = read_page(resp.get_data(as_text=True)).texts.get(f"{field}-error")
        assert errors is None, (key, example, errors)
        patient.get("/enroll/personal")   # back to the step for the next example


def test_the_resume_pages_example_is_a_date_it_reads(app, client, practices):
    """The resume page's hint gives a date in the form the field reads: a patient born
    on the example's date who types it as shown gets back in."""
    from tests.enrollment.test_resume import close_browser, location
    patient = Patient(client)
    born = {**GOOD["personal"], "date_of_birth": "1980-04-27"}
    patient.complete_through("insurance", practices["riverside-family"], personal=born)
    close_browser(client, patient)
    page = patient.get("/enroll/resume").get_data(as_text=True)
    example = examples(page, "en")["date_of_birth"]
    assert example == "04/27/1980"
    resp = patient.post("/enroll/resume", {"date_of_birth": example})
    assert resp.status_code == 303 and not location(resp).endswith("/enroll/resume")
