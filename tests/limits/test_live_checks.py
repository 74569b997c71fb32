"""Rule 4: the live checks cost what a keystroke should.  The password check never runs
argon2; the username check answers only inside a draft that passed the human check, a
limited number of times per draft and per client; submission stays the authority."""
import pytest
from argon2 import PasswordHasher

from tests.limits.conftest import pass_human_check, patient_at, robot_on
from tests.wizard import GOOD

TAKEN = ["outbox-user0", "OUTBOX-USER0"]
FREE = [f"free-name-{n:03d}" for n in range(48)]


@pytest.fixture
def argon2_calls(monkeypatch):
    """Every argon2 hash and verification made while the test runs (a spy: the real
    functions run)."""
    calls = []
    real_hash, real_verify = PasswordHasher.hash, PasswordHasher.verify

    def hash_(self, *args, **kwargs):
        calls.append("hash")
        return real_hash(self, *args, **kwargs)

    def verify(self, *args, **kwargs):
        calls.append("verify")
        return real_verify(self, *args, **kwargs)
    monkeypatch.setattr(PasswordHasher, "hash", hash_)
    monkeypatch.setattr(PasswordHasher, "verify", verify)
    return calls


def answered(resp) -> bool:
    text = resp.get_data(as_text=True)
    return "live-ok" in text or "live-bad" in text


def test_no_username_is_answered_without_a_human_check(app, practices, monkeypatch,
                                                       patient_request):
    """The figure of the report: 0 usernames answered to a client that has not passed
    the human check, with no draft or with a draft short of it, for taken and free
    names alike (50 each)."""
    patient_request(0)   # outbox-user0 is taken
    robot_on(app, monkeypatch)
    no_draft = patient_at(app, "198.51.100.31")
    short_of_it = patient_at(app, "198.51.100.32")
    short_of_it.complete_through("personal", practices["riverside-family"])
    count = 0
    for patient in (no_draft, short_of_it):
        for name in TAKEN + FREE:
            resp = patient.post("/enroll/check/username", {"username": name})
            assert resp.status_code == 200 and resp.get_data(as_text=True) == ""
            count += answered(resp)
    assert count == 0


def test_a_checked_draft_is_answered_up_to_its_limit(app, practices, monkeypatch,
                                                     patient_request, default_limits):
    patient_request(0)
    robot_on(app, monkeypatch)
    patient = patient_at(app, "198.51.100.33")
    patient.complete_through("personal", practices["riverside-family"])
    pass_human_check(patient)
    taken = patient.post("/enroll/check/username", {"username": "Outbox-User0"})
    assert "That username is taken" in taken.get_data(as_text=True)
    free = patient.post("/enroll/check/username", {"username": "free-name-999"})
    assert "Username is available" in free.get_data(as_text=True)
    answers = [answered(patient.post("/enroll/check/username", {"username": name}))
               for name in FREE[:30]]
    assert answers == [True] * 28 + [False] * 2   # LIVE_CHECKS_PER_DRAFT 30 in all
    # The page still works: the step itself decides, live checks or not.
    resp = patient.step("credentials", {**GOOD["credentials"], "username": "outbox-user0"})
    assert resp.status_code == 422 and "username is taken" in resp.get_data(as_text=True)
    assert patient.step("credentials").status_code == 303


def test_the_live_password_check_runs_no_argon2(app, practices, argon2_calls):
    """Even with the security answers saved (Back from the security step), the live
    check compares nothing with them; the step's own post does (5 verifications)."""
    patient = patient_at(app, "198.51.100.34")
    patient.complete_through("security", practices["riverside-family"])
    patient.step("security", action="back")
    before = len(argon2_calls)
    for typed in ("Lincoln Elementary", "a perfectly fine sentence", "short"):
        resp = patient.post("/enroll/check/password", {"password": typed,
                                                       "username": "MariaD84"})
        assert resp.status_code == 200 and answered(resp)
    assert argon2_calls[before:] == []
    resp = patient.step("credentials", {**GOOD["credentials"],
                                        "password": "Lincoln Elementary school days",
                                        "confirm": "Lincoln Elementary school days"})
    assert resp.status_code == 303   # not an answer: accepted
    assert argon2_calls[before:].count("verify") == 5


def test_the_posted_step_still_refuses_a_security_answer_as_password(app, practices):
    patient = patient_at(app, "198.51.100.35")
    patient.complete_through("security", practices["riverside-family"])
    patient.step("security", action="back")
    resp = patient.step("credentials", {**GOOD["credentials"],
                                        "password": "Lincoln Elementary",
                                        "confirm": "Lincoln Elementary"})
    assert resp.status_code == 422
    assert "security answer" in resp.get_data(as_text=True)


def test_live_checks_per_client_answer_nothing_over_the_limit(app, practices,
                                                             default_limits, monkeypatch):
    """Over LIVE_CHECK_LIMIT the live region gets an empty 429 (htmx swaps it: the
    region empties); the step still posts and decides."""
    monkeypatch.setitem(app.config, "LIVE_CHECK_LIMIT", "2 per minute")
    patient = patient_at(app, "198.51.100.36", htmx=True)
    patient.complete_through("insurance", practices["riverside-family"])
    codes = [patient.post("/enroll/check/username", {"username": f"name-{n}x"}).status_code
             for n in range(3)]
    assert codes == [200, 200, 429]
    over = patient.post("/enroll/check/password", {"password": "another sentence"})
    assert over.status_code == 429 and over.get_data(as_text=True) == ""
    assert patient.step("credentials").status_code == 200   # htmx: the next step
