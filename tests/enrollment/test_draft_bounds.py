"""Rule 7: drafts hold only what the steps declare.  Unknown keys are dropped on every
post (Next, Back, and the posts of a step reached by Edit); values are cut to what the
field's form accepts; a draft's stored size is bounded (DRAFT_MAX_BYTES): a post that
would exceed it is a 413 with a clear message, and nothing saved before is lost."""
import pytest
import sqlalchemy as sa
from hypothesis import given, strategies as st

from enrollment import steps
from enrollment.models import Draft
from enrollment.wizard import stored_size
from extensions import db
from tests.wizard import GOOD, Patient, read_page

INSURED = {"carrier": "Acme Health", "member_id": "XJ1234", "group_number": "",
           "subscriber_name": "Maria Delgado", "relationship": "self",
           "claim_street": "PO Box 1", "claim_line2": "", "claim_city": "Austin",
           "claim_state": "TX", "claim_zip": "73301"}
JUNK = {"is_admin": "1", "practice_id": "99", "outcome": "x" * 500, "_notice": "evil",
        "human_check_proof": "p" * 4000, "human_check_token": "t", "human_check": "y"}


def the_draft(app) -> Draft:
    with app.app_context():
        return db.session.execute(sa.select(Draft).execution_options(
            populate_existing=True)).scalar_one()


def fields_of(app, name: str) -> dict:
    with app.test_request_context():
        return steps.get(name).field_limits()


@pytest.mark.parametrize("action", ["next", "back"])
def test_unknown_keys_are_dropped(app, client, practices, action):
    patient = Patient(client)
    patient.complete_through("personal", practices["riverside-family"])
    resp = patient.step("insurance", {**INSURED, **JUNK}, action=action)
    assert resp.status_code == 303
    draft = the_draft(app)
    stored = draft.data["insurance"]
    assert set(stored) <= set(fields_of(app, "insurance"))
    assert set(stored) == set(INSURED)
    assert set(draft.data) <= {s.name for s in steps.STEPS}   # no "_notice" smuggled in
    if action == "next":
        assert set(draft.clean["insurance"]) == set(INSURED)


def test_an_edit_from_review_is_bounded_too(app, client, practices):
    patient = Patient(client)
    patient.complete_through("security", practices["riverside-family"])
    patient.get("/enroll/personal")   # Edit
    resp = patient.step("personal", {**GOOD["personal"], "nickname": "x" * 1000,
                                     "street": "1 New Street"})
    assert resp.status_code == 303
    draft = the_draft(app)
    assert "nickname" not in draft.data["personal"]
    assert "nickname" not in draft.clean["personal"]
    assert draft.data["personal"]["street"] == ["1 New Street"]


def test_back_with_a_long_street_keeps_what_the_field_accepts(app, client, practices):
    patient = Patient(client)
    patient.complete_through("practice", practices["riverside-family"])
    street = "12 Elm Street " + "x" * 10_000
    resp = patient.step("personal", {**GOOD["personal"], "street": street,
                                     "first_name": ["Maria", "Second", "Third"]},
                        action="back")
    assert resp.status_code == 303
    stored = the_draft(app).data["personal"]
    assert stored["street"] == [street[:120]] and stored["first_name"] == ["Maria"]
    page = read_page(patient.get("/enroll/personal").get_data(as_text=True))
    assert page.values["street"] == [street[:120]]
    resp = patient.step("personal", page.values)   # Next with what is shown
    assert resp.status_code == 303
    assert the_draft(app).clean["personal"]["street"] == street[:120].strip()


@given(extra=st.dictionaries(st.text(min_size=1, max_size=20),
                             st.lists(st.text(max_size=300), min_size=1, max_size=30),
                             max_size=8),
       street=st.text(max_size=500))
def test_any_back_post_is_bounded(app, client, practices, extra, street):
    patient = Patient(client)
    patient.complete_through("practice", practices["riverside-family"])
    payload = {**extra, **GOOD["personal"], "street": street}
    payload.pop("csrf_token", None)
    resp = patient.step("personal", payload, action="back")
    assert resp.status_code in (303, 400, 413)
    limits = fields_of(app, "personal")
    stored = the_draft(app).data.get("personal", {})
    assert set(stored) <= set(limits)
    for name, values in stored.items():
        longest, many = limits[name]
        assert len(values) <= many and all(len(v) <= longest for v in values)
    with app.app_context():
        db.session.execute(sa.delete(Draft))
        db.session.commit()
    client.delete_cookie("enroll_draft", path="/enroll")


def test_the_longest_honest_draft_fits_the_default(app, client, practices):
    """Every field at its longest, in 4-byte characters (emoji), fits in
    DRAFT_MAX_BYTES (16 KB); the same in plain letters is about 4.6 KB."""
    assert app.config["DRAFT_MAX_BYTES"] == 16384
    wide = "\U0001F600"
    patient = Patient(client)
    personal = {**GOOD["personal"], "first_name": wide * 60, "middle_name": wide * 60,
                "last_name": wide * 60, "street": wide * 120, "line2": wide * 120,
                "city": wide * 80,
                "email": "a" * 64 + "@" + ("b" * 63 + ".") * 2 + "c" * 56 + ".org"}
    insured = {**INSURED, "carrier": wide * 120, "member_id": wide * 40,
               "group_number": wide * 40, "subscriber_name": wide * 120,
               "claim_street": wide * 120, "claim_line2": wide * 120, "claim_city": wide * 80}
    security = {**GOOD["security"], **{f"answer_{i}": str(i) + wide * 99 for i in range(1, 6)}}
    patient.complete_through("review", practices["riverside-family"], personal=personal,
                             insurance=insured, security=security,
                             credentials={**GOOD["credentials"], "username": "m" * 50})
    with app.app_context():
        kept = db.session.execute(sa.select(Draft)).scalar_one()
        assert kept.submitted_at is not None   # it went all the way


@pytest.mark.parametrize("action", ["next", "back"])
@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_more_than_a_draft_holds_is_a_413_and_nothing_is_lost(app, client, practices,
                                                             monkeypatch, action, htmx):
    patient = Patient(client, htmx=htmx)
    patient.complete_through("insurance", practices["riverside-family"])
    before = the_draft(app)
    size = stored_size(before.data, before.clean)
    monkeypatch.setitem(app.config, "DRAFT_MAX_BYTES", size + 200)
    resp = patient.step("credentials", {**GOOD["credentials"], "username": "u" * 50},
                        action=action)
    assert resp.status_code in (200, 303)   # small enough still
    resp = patient.step("insurance", {**INSURED, "carrier": "c" * 120,
                                      "subscriber_name": "s" * 120,
                                      "claim_street": "x" * 120}, action=action)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 413 and "holds more than we can keep" in html
    assert ("<html" in html) != htmx and 'value="' + "c" * 120 + '"' in html
    after = the_draft(app)
    assert after.data["insurance"] == before.data["insurance"]
    assert after.clean.get("insurance") == before.clean.get("insurance")
    assert "insurance" in after.done and "personal" in after.done
