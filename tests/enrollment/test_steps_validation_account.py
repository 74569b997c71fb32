"""Validation of the account steps: credentials (the policy, revisits, what asks for the
password again, never a plain password stored) and security questions (rules, hashing,
revisits).  Helpers and conventions: validation_helpers.py."""
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from auth.hashing import verify_secret
from enrollment import policy
from enrollment.codes import SECURITY_QUESTIONS
from enrollment.models import PatientAccount
from extensions import db
from tests.wizard import GOOD, Patient, read_page
from tests.enrollment.validation_helpers import (HILLCREST, PASSWORD, MODES, DROP, body,
    patient_at, with_changes, assert_advanced, assert_rejected, draft_of, draft_dump)


# --- Credentials --------------------------------------------------------------------------

@MODES
def test_credentials_valid_advances(app, client, practices, htmx):
    patient = patient_at(client, practices, "credentials", htmx)
    assert_advanced(patient.step("credentials"), "security", htmx)
    draft = draft_of(app, client)
    assert draft["clean"]["credentials"] == {"username": "mariad84"}
    assert draft["password_hash"].startswith("$argon2id$")
    with app.app_context():
        assert verify_secret(draft["password_hash"], PASSWORD)


def pw(value: str) -> dict:
    return {"password": value, "confirm": value}


CREDENTIAL_RULES = [
    ("username", {"username": ""}, "Enter a username."),
    ("username", {"username": "    "}, "Enter a username."),
    ("username", {"username": "maria"}, "Use 6 to 50 characters for your username."),
    ("username", {"username": "m" * 51}, "Use 50 characters or fewer."),
    ("username", {"username": "maria d84"}, "Use only letters, digits and . _ - @"),
    ("username", {"username": "maría84"}, "Use only letters, digits and . _ - @"),
    ("username", {"username": "maria/d84"}, "Use only letters, digits and . _ - @"),
    ("password", pw(""), "Enter a password."),
    ("password", {"password": DROP, "confirm": DROP}, "Enter a password."),
    ("password", pw("short pass"), "Use at least 12 characters for your password."),
    ("password", pw("x" * 129), "Use 128 characters or fewer for your password."),
    ("password", pw("leavemealone"), "That password is too common."),
    ("password", pw("LeaveMeAlone"), "That password is too common."),
    ("password", pw("123qweasdzxc"), "That password is too common."),
    ("password", pw("mariad84 goes to town"), "Your password must not contain your username."),
    ("password", pw("I am MARIAD84 indeed"), "Your password must not contain your username."),
    ("password", pw("the delgado house party"), "Your password must not contain your name."),
    ("password", pw("ask maria about it"), "Your password must not contain your name."),
    ("password", pw("riverside family medicine!"),
     "Your password must not contain the practice name."),
    ("confirm", {"confirm": "correct horse battery stapler"},
     "The passwords do not match. Type the same password twice."),
    ("confirm", {"confirm": ""}, "The passwords do not match."),
]


@MODES
@pytest.mark.parametrize("field, changes, message", CREDENTIAL_RULES,
                         ids=[f"{f}-{i}" for i, (f, _c, _m) in enumerate(CREDENTIAL_RULES)])
def test_credentials_rules(app, client, practices, htmx, field, changes, message):
    patient = patient_at(client, practices, "credentials", htmx)
    sent = with_changes(GOOD["credentials"], changes)
    resp = patient.step("credentials", sent)
    assert_rejected(resp, field, message, htmx, sent)
    draft = draft_of(app, client)
    assert "credentials" not in draft["done"] and draft["password_hash"] is None


def test_username_taken_case_insensitively_directly_in_db(app, client, practices):
    with app.app_context():
        db.session.add(PatientAccount(practice_id=practices[HILLCREST], username="mariad84",
                                      password_hash="$argon2id$placeholder"))
        db.session.commit()
    patient = patient_at(client, practices, "credentials", False)
    sent = {**GOOD["credentials"], "username": "MARIAD84"}
    resp = patient.step("credentials", sent)
    assert_rejected(resp, "username", "That username is taken. Try another.", False, sent)


@MODES
def test_username_taken_by_a_completed_enrollment(app, client, practices, htmx):
    first = Patient(app.test_client(), htmx=htmx)
    first.complete_through("review", practices[HILLCREST])
    with app.app_context():
        assert db.session.execute(sa.select(PatientAccount.username)).scalar_one() == "mariad84"
    patient = patient_at(client, practices, "credentials", htmx)
    sent = {**GOOD["credentials"], "username": "mariaD84"}
    resp = patient.step("credentials", sent)
    assert_rejected(resp, "username", "That username is taken.", htmx, sent)
    other = {**GOOD["credentials"], "username": "mariad1984"}
    assert_advanced(patient.step("credentials", other), "security", htmx)


@MODES
@pytest.mark.parametrize("password", [
    ("tall ships sail past the harbour lights " * 4)[:128],
    "château d'eau très haut",
    "🦊🦊 fox in the 🌲 forest 🦊",
    "   spaces around it count   ",
    "東京の夜景はとてもきれいです",
], ids=["128-chars", "accents", "emoji", "spaces", "cjk"])
def test_credentials_password_accepted(app, client, practices, htmx, password):
    patient = patient_at(client, practices, "credentials", htmx)
    resp = patient.step("credentials", {"username": "MariaD84", **pw(password)})
    assert_advanced(resp, "security", htmx)
    draft = draft_of(app, client)
    with app.app_context():
        assert verify_secret(draft["password_hash"], password)
    assert password not in draft_dump(app)


@MODES
def test_revisit_blank_password_keeps_stored_hash(app, client, practices, htmx):
    patient = patient_at(client, practices, "review", htmx)
    before = draft_of(app, client)
    page = body(patient.get("/enroll/credentials"))
    assert PASSWORD not in page
    values = read_page(page).values
    assert values["username"] == ["MariaD84"]
    assert values["password"] == [""] and values["confirm"] == [""]
    assert "Leave blank to keep the password you already set." in page
    for username in ("MariaD84", "mariad84"):   # the same username, whatever the case
        resp = patient.step("credentials", {"username": username, **pw("")})
        assert_advanced(resp, "security", htmx)
        after = draft_of(app, client)
        assert after["password_hash"] == before["password_hash"]
        assert "credentials" in after["done"] and "security" in after["done"]


@MODES
def test_revisit_changed_username_asks_for_password_again(app, client, practices, htmx):
    patient = patient_at(client, practices, "review", htmx)
    before = draft_of(app, client)
    sent = {"username": "maria.delgado", **pw("")}
    resp = patient.step("credentials", sent)
    assert_rejected(resp, "password", "Enter your password again", htmx, sent)
    assert draft_of(app, client)["clean"]["credentials"]["username"] == "mariad84"
    resp = patient.step("credentials", {"username": "maria.delgado",
                                        **pw("a brand new sentence here")})
    assert_advanced(resp, "security", htmx)
    after = draft_of(app, client)
    assert after["clean"]["credentials"]["username"] == "maria.delgado"
    assert after["password_hash"] != before["password_hash"]


@MODES
def test_name_change_marks_credentials_incomplete(app, client, practices, htmx):
    patient = patient_at(client, practices, "review", htmx)
    renamed = {**GOOD["personal"], "first_name": "Marta"}
    assert_advanced(patient.step("personal", renamed), "insurance", htmx)
    draft = draft_of(app, client)
    assert "credentials" not in draft["done"] and draft["password_hash"] is None
    for later in ("review", "security"):
        resp = patient.get(f"/enroll/{later}")
        if htmx:
            assert resp.status_code == 204 and resp.headers["HX-Redirect"] == "/enroll/credentials"
        else:
            assert resp.status_code == 303
            assert urlparse(resp.headers["Location"]).path == "/enroll/credentials"
    page = body(patient.get("/enroll/credentials"))
    why = ("Your name changed, so choose your password again: it must not contain your "
           "name.")
    assert "Leave blank to keep" not in page and why in page   # issue 14: says why
    sent = {"username": "MariaD84", **pw("")}
    assert_rejected(patient.step("credentials", sent), "password", why, htmx, sent)
    # A password with the new name part is refused: the check uses the changed name.
    sent = {"username": "MariaD84", **pw("marta and the sea")}
    assert_rejected(patient.step("credentials", sent), "password",
                    "Your password must not contain your name.", htmx, sent)
    resp = patient.step("credentials", {"username": "MariaD84", **pw(PASSWORD)})
    assert_advanced(resp, "security", htmx)
    assert patient.get("/enroll/review").status_code == 200


def test_other_personal_change_keeps_credentials(app, client, practices):
    patient = patient_at(client, practices, "review", False)
    before = draft_of(app, client)
    moved = {**GOOD["personal"], "city": "Chicago", "zip_code": "60601"}
    assert_advanced(patient.step("personal", moved), "insurance", False)
    after = draft_of(app, client)
    assert "credentials" in after["done"]
    assert after["password_hash"] == before["password_hash"]


def test_practice_change_marks_credentials_incomplete(app, client, practices):
    patient = patient_at(client, practices, "review", False)
    resp = patient.step("practice", {"practice": str(practices[HILLCREST])})
    assert_advanced(resp, "personal", False)
    draft = draft_of(app, client)
    assert "credentials" not in draft["done"] and draft["password_hash"] is None
    assert urlparse(patient.get("/enroll/review").headers["Location"]).path == \
        "/enroll/credentials"


def test_password_equal_to_a_security_answer_refused(app, client, practices):
    patient = patient_at(client, practices, "review", False)
    sent = {"username": "MariaD84", **pw("LINCOLN  elementary")}
    resp = patient.step("credentials", sent)
    assert_rejected(resp, "password", "Your password must not be one of your security answers.",
                    False, sent)


def test_plain_password_never_in_the_draft(app, client, practices):
    patient = patient_at(client, practices, "credentials", False)
    typed = "a secret that must never be stored"
    # Refused for another reason: nothing of it kept.
    patient.step("credentials", {"username": "x", **pw(typed)})
    # Back saves what was typed, but never the password.
    resp = patient.step("credentials", {"username": "MariaD84", **pw(typed)}, action="back")
    assert resp.status_code == 303
    draft = draft_of(app, client)
    assert draft["data"]["credentials"] == {"username": ["MariaD84"]}
    assert typed not in draft_dump(app)
    # Accepted: only the hash.
    patient.step("credentials", {"username": "MariaD84", **pw(typed)})
    patient.step("security")
    dump = draft_dump(app)
    assert typed not in dump and "must never be stored" not in dump
    draft = draft_of(app, client)
    assert "password" not in draft["data"]["credentials"]
    assert "confirm" not in draft["data"]["credentials"]
    assert draft["password_hash"].startswith("$argon2id$")


# --- Security questions -------------------------------------------------------------------

@MODES
def test_security_valid_advances(app, client, practices, htmx):
    patient = patient_at(client, practices, "security", htmx)
    assert_advanced(patient.step("security"), "review", htmx)


SECURITY_RULES = [
    ("question_5", {"question_5": DROP, "answer_5": DROP}, "Choose a question from the list."),
    ("question_5", {"question_5": ""}, "Choose a question from the list."),
    ("answer_5", {"answer_5": ""}, "Enter an answer."),
    ("answer_5", {"answer_5": DROP}, "Enter an answer."),
    ("answer_3", {"answer_3": "    "}, "Enter an answer."),
    ("question_2", {"question_2": "first_school"},
     "Choose a different question for each answer."),
    ("question_5", {"question_5": "first_pet"}, "Choose a different question for each answer."),
    ("question_3", {"question_3": "favourite_colour"}, "Choose a question from the list."),
    ("answer_2", {"answer_2": "ab"}, "Use at least 3 characters for each answer."),
    ("answer_2", {"answer_2": "  a  "}, "Use at least 3 characters for each answer."),
    ("answer_2", {"answer_2": "LINCOLN   elementary"}, "Use a different answer for each question."),
    ("answer_5", {"answer_4": "Café Olé", "answer_5": "cafe ole"},
     "Use a different answer for each question."),
    ("answer_3", {"answer_3": "MariaD84"}, "An answer must not be your username or password."),
    ("answer_3", {"answer_3": "mariad84"}, "An answer must not be your username or password."),
    ("answer_4", {"answer_4": PASSWORD}, "An answer must not be your username or password."),
    ("answer_1", {"answer_1": "x" * 101}, "Use 100 characters or fewer."),
    ("answer_1", {"answer_1": "Lin\x00coln"}, "Remove the special characters from this field."),
]


@MODES
@pytest.mark.parametrize("field, changes, message", SECURITY_RULES,
                         ids=[f"{f}-{i}" for i, (f, _c, _m) in enumerate(SECURITY_RULES)])
def test_security_rules(app, client, practices, htmx, field, changes, message):
    patient = patient_at(client, practices, "security", htmx)
    sent = with_changes(GOOD["security"], changes)
    resp = patient.step("security", sent)
    questions = {k: v for k, v in sent.items() if k.startswith("question_") and k != field}
    assert_rejected(resp, field, message, htmx, questions)
    assert "security" not in draft_of(app, client)["done"]


def test_security_answers_stored_only_as_argon2_hashes(app, client, practices):
    patient = patient_at(client, practices, "security", False)
    assert_advanced(patient.step("security"), "review", False)
    draft = draft_of(app, client)
    security = draft["clean"]["security"]
    assert security["questions"] == [GOOD["security"][f"question_{i}"] for i in range(1, 6)]
    hashes = security["answer_hashes"]
    assert len(hashes) == 5 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(k.startswith("answer_") for k in draft["data"]["security"])
    dump = draft_dump(app)
    with app.app_context():
        for i, h in enumerate(hashes, start=1):
            answer = GOOD["security"][f"answer_{i}"]
            assert verify_secret(h, policy.normalise_answer(answer))
            assert answer not in dump and policy.normalise_answer(answer) not in dump
    page = body(patient.get("/enroll/review"))
    assert not any(GOOD["security"][f"answer_{i}"] in page for i in range(1, 6))


@MODES
def test_security_revisit_blank_answers_keep_hashes(app, client, practices, htmx):
    patient = patient_at(client, practices, "review", htmx)
    before = draft_of(app, client)["clean"]["security"]["answer_hashes"]
    page = body(patient.get("/enroll/security"))
    values = read_page(page).values
    assert all(values[f"answer_{i}"] == [""] for i in range(1, 6))
    assert values["question_1"] == ["first_school"]
    assert page.count("Leave blank to keep the answer you already gave.") == 5
    assert not any(GOOD["security"][f"answer_{i}"] in page for i in range(1, 6))
    blank = {**GOOD["security"], **{f"answer_{i}": "" for i in range(1, 6)}}
    assert_advanced(patient.step("security", blank), "review", htmx)
    assert draft_of(app, client)["clean"]["security"]["answer_hashes"] == before
    # One answer changed: only its hash changes.
    assert_advanced(patient.step("security", {**blank, "answer_2": "Muffin"}), "review", htmx)
    after = draft_of(app, client)["clean"]["security"]["answer_hashes"]
    assert after[0] == before[0] and after[2:] == before[2:] and after[1] != before[1]
    with app.app_context():
        assert verify_secret(after[1], "muffin")


def test_security_revisit_changed_question_needs_its_answer(app, client, practices):
    patient = patient_at(client, practices, "review", False)
    blank = {**GOOD["security"], **{f"answer_{i}": "" for i in range(1, 6)},
             "question_1": "first_street"}
    resp = patient.step("security", blank)
    assert_rejected(resp, "answer_1", "Enter an answer.", False,
                    {"question_1": "first_street"})


def test_security_page_tells_patient_to_note_answers(client, practices):
    patient = patient_at(client, practices, "security", False)
    html = body(patient.get("/enroll/security"))
    assert "Write down your five questions and answers" in html
    page = read_page(html)
    assert len([n for n in page.values if n.startswith("question_")]) == 5
    assert len(SECURITY_QUESTIONS) >= 12
    for code in SECURITY_QUESTIONS:   # every select offers the whole pool
        assert html.count(f'<option value="{code}"') == 5


@MODES
def test_security_refused_answers_are_not_shown_back_but_kept_hashed(app, client, practices,
                                                                      htmx):
    """A 422 never echoes an answer: the valid ones are kept hashed in the draft and
    their fields say "leave blank to keep"; the refused one is asked again."""
    patient = patient_at(client, practices, "security", htmx)
    resp = patient.step("security", {**GOOD["security"], "answer_5": "ab"})
    html = body(resp)
    assert resp.status_code == 422
    assert not any(GOOD["security"][f"answer_{i}"] in html for i in range(1, 6))
    assert 'value="ab"' not in html
    values = read_page(html).values
    assert all(values[f"answer_{i}"] == [""] for i in range(1, 6))
    assert html.count("Leave blank to keep the answer you already gave.") == 4
    assert "Leave blank" not in read_page(html).texts.get("w-answer_5", "")
    draft = draft_of(app, client)
    assert "security" not in draft["done"]
    dump = draft_dump(app)
    assert not any(GOOD["security"][f"answer_{i}"] in dump for i in range(1, 5))
    # The kept answers count: blank fields and the one fixed answer are enough.
    blank = {**GOOD["security"], **{f"answer_{i}": "" for i in range(1, 5)}}
    assert_advanced(patient.step("security", blank), "review", htmx)
    clean = draft_of(app, client)["clean"]
    assert "security:kept" not in clean
    with app.app_context():
        for i, h in enumerate(clean["security"]["answer_hashes"], start=1):
            assert verify_secret(h, policy.normalise_answer(GOOD["security"][f"answer_{i}"]))


def test_security_a_changed_question_drops_its_kept_answer(app, client, practices):
    patient = patient_at(client, practices, "security", False)
    patient.step("security", {**GOOD["security"], "answer_5": "ab"})
    blank = {**GOOD["security"], **{f"answer_{i}": "" for i in range(1, 6)},
             "question_1": "first_street"}
    resp = patient.step("security", blank)
    assert_rejected(resp, "answer_1", "Enter an answer.", False,
                    {"question_1": "first_street"})
