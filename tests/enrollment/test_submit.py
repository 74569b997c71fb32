"""Submission under pressure: double submit, the username race, stale CSRF tokens, and
the demo seed."""
import threading
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from enrollment import drafts
from enrollment.models import (Draft, EnrollmentRequest, Location, PatientAccount, Practice,
                               Provider, SecurityAnswer)
from enrollment.submit import submit
from extensions import db
from tests.conftest import csrf_token
from tests.pages import field_value
from tests.state import all_rows, count, draft_of
from tests.wizard import GOOD, Patient

PENDING = "approval is pending from your practice"
TAKEN = "That username is taken"


def location(resp) -> str:
    return resp.headers.get("HX-Redirect") or resp.headers.get("Location", "")


def snapshot(draft: Draft) -> tuple:
    return (draft.data, draft.clean, draft.done, draft.password_hash, draft.updated_at,
            draft.expires_at, draft.submitted_at)


# --- double submit ----------------------------------------------------------------------

@pytest.mark.parametrize("htmx", [False, True])
def test_a_second_post_of_the_same_draft_creates_nothing(app, client, practices, htmx):
    patient = Patient(client, htmx=htmx)
    patient.complete_through("review", practices["hillcrest-internal"])
    again = patient.step("review", GOOD["review"], action="complete")
    assert again.status_code == (204 if htmx else 303)
    assert location(again).endswith("/enroll/done")
    page = patient.get("/enroll/done")
    assert page.status_code == 200
    assert PENDING in page.get_data(as_text=True)
    assert count(app, EnrollmentRequest) == 1
    assert count(app, PatientAccount) == 1
    assert count(app, SecurityAnswer) == 5


def test_submit_of_a_stale_copy_of_a_submitted_draft_is_refused(app, client, practices):
    """Two requests that both loaded the draft before either submitted it: the second
    finds it claimed and creates nothing."""
    patient = Patient(client)
    patient.complete_through("review", practices["hillcrest-internal"])
    submitted = draft_of(app, client)
    stale = Draft(**{c.key: getattr(submitted, c.key) for c in Draft.__table__.columns})
    stale.submitted_at = None
    stale.clean = {"practice": {"practice_id": practices["hillcrest-internal"]},
                   "personal": {**GOOD["personal"], "phone": "+12175550199"},
                   "credentials": {"username": "someoneelse"},
                   "security": {"questions": [], "answer_hashes": []},
                   "review": {"terms_version": "x", "terms_accepted_at": "2026-01-01T00:00:00",
                              "email_consent_at": "2026-01-01T00:00:00"}}
    with app.app_context():
        assert submit(stale) is False
    assert count(app, EnrollmentRequest) == 1
    assert count(app, PatientAccount) == 1


def test_two_simultaneous_submits_of_one_draft_make_one_request(app, client, practices):
    patient = Patient(client)
    patient.complete_through("security", practices["hillcrest-internal"])
    twin = app.test_client()
    for name, path in ((drafts.DRAFT_COOKIE, "/enroll"), (drafts.VISIT_COOKIE, "/enroll"),
                       ("portal_session", "/")):
        twin.set_cookie(name, client.get_cookie(name, path=path).value, path=path)
    barrier = threading.Barrier(2)
    results = []

    def post(c):
        barrier.wait()
        resp = c.post("/enroll/review", data={**GOOD["review"], "action": "complete",
                                              "csrf_token": patient.token})
        results.append((resp.status_code, location(resp)))

    threads = [threading.Thread(target=post, args=(c,)) for c in (client, twin)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 2
    assert all(code == 303 and where.endswith("/enroll/done") for code, where in results), \
        results
    assert count(app, EnrollmentRequest) == 1
    assert count(app, PatientAccount) == 1


# --- the username race ------------------------------------------------------------------

OTHER_PERSON = {**GOOD["personal"], "first_name": "Robert", "last_name": "Nguyen",
                "email": "rob.n@example.org", "date_of_birth": "1990-05-05"}


@pytest.mark.parametrize("htmx", [False, True])
def test_the_loser_of_a_username_race_is_sent_back_to_credentials(app, practices, htmx):
    winner, loser = Patient(app.test_client()), Patient(app.test_client(), htmx=htmx)
    practice_id = practices["riverside-family"]
    winner.complete_through("security", practice_id,
                            credentials={**GOOD["credentials"], "username": "RaceUser77"})
    loser.complete_through("security", practice_id, personal=OTHER_PERSON,
                           credentials={**GOOD["credentials"], "username": "raceUSER77"})
    assert winner.get("/enroll/review").status_code == 200
    assert loser.get("/enroll/review").status_code == 200

    assert winner.step("review", GOOD["review"], action="complete").status_code == 303
    resp = loser.step("review", GOOD["review"], action="complete")
    assert resp.status_code == (200 if htmx else 303)
    if htmx:
        assert resp.headers["HX-Push-Url"] == "/enroll/credentials"
        page = resp.get_data(as_text=True)
    else:
        assert resp.headers["Location"].endswith("/enroll/credentials")
        page = loser.get("/enroll/credentials").get_data(as_text=True)
    assert TAKEN in page
    assert field_value(page, "username") == "raceUSER77"
    assert count(app, EnrollmentRequest) == 1
    (account,) = all_rows(app, PatientAccount)
    assert account.username == "raceuser77"

    draft = draft_of(loser.client.application, loser.client)
    assert draft.submitted_at is None
    assert {"practice", "personal", "insurance", "security"} <= set(draft.done)
    assert "credentials" not in draft.done and "review" not in draft.done
    assert draft.clean["personal"]["first_name"] == "Robert"
    assert len(draft.clean["security"]["answer_hashes"]) == 5
    personal = loser.get("/enroll/personal").get_data(as_text=True)
    assert field_value(personal, "last_name") == "Nguyen"

    # The loser picks another username, sets the password again and gets through.
    resp = loser.step("credentials", {**GOOD["credentials"], "username": "raceuser78"})
    assert resp.status_code in (200, 303)
    assert TAKEN not in resp.get_data(as_text=True)
    assert TAKEN not in loser.get("/enroll/credentials").get_data(as_text=True)
    assert location(loser.get("/enroll/")).endswith("/enroll/review")
    loser.step("review", GOOD["review"], action="complete")
    assert count(app, EnrollmentRequest) == 2
    requests = {r.first_name: r for r in all_rows(app, EnrollmentRequest)}
    assert set(requests) == {"Maria", "Robert"}
    accounts = {a.id: a.username for a in all_rows(app, PatientAccount)}
    assert accounts[requests["Robert"].account_id] == "raceuser78"


def test_a_taken_username_is_refused_on_the_credentials_step(app, practices):
    first, second = Patient(app.test_client()), Patient(app.test_client())
    first.complete_through("review", practices["hillcrest-internal"])
    second.complete_through("insurance", practices["hillcrest-internal"],
                            personal=OTHER_PERSON)
    resp = second.step("credentials", {**GOOD["credentials"], "username": "MARIAD84"})
    assert resp.status_code == 422
    assert TAKEN in resp.get_data(as_text=True)


# --- a missing or stale CSRF token -------------------------------------------------------

def _stale_token(app, client, monkeypatch) -> str:
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    two_days_ago = int(time.time()) - 2 * 86400
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: two_days_ago)
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("kind", ["missing", "stale", "other-session"])
def test_a_bad_csrf_token_re_renders_the_step_and_loses_nothing(app, client, practices,
                                                                 monkeypatch, htmx, kind):
    patient = Patient(client, htmx=htmx)
    patient.complete_through("personal", practices["hillcrest-internal"])
    patient.get("/enroll/personal")
    before = snapshot(draft_of(app, client))
    if kind == "missing":
        token = None
    elif kind == "stale":
        token = _stale_token(app, client, monkeypatch)
    else:
        token = csrf_token(app.test_client().get("/enroll/practice").get_data(as_text=True))
    typed = {**GOOD["personal"], "city": "Shelbyville", "action": "next"}
    if token is not None:
        typed["csrf_token"] = token
    resp = patient.post("/enroll/personal", typed, token=False)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert ("<html" in html) is not htmx
    assert "Step 2 of 6: Personal information" in html
    assert "could not accept it" in html
    assert field_value(html, "city") == "Shelbyville"
    assert field_value(html, "first_name") == "Maria"
    fresh = csrf_token(html)
    assert fresh != token
    assert snapshot(draft_of(app, client)) == before

    # The fresh token works: the same values go through.
    resp = patient.post("/enroll/personal", {**typed, "csrf_token": fresh}, token=False)
    assert resp.status_code == (200 if htmx else 303)
    assert draft_of(app, client).data["personal"]["city"] == ["Shelbyville"]


def test_the_stale_token_is_refused_for_its_age_alone(app, client, practices, monkeypatch):
    patient = Patient(client)
    patient.complete_through("practice", practices["hillcrest-internal"])
    stale = _stale_token(app, client, monkeypatch)
    data = {**GOOD["personal"], "action": "next", "csrf_token": stale}
    assert patient.post("/enroll/personal", data, token=False).status_code == 400
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", None)   # no age limit
    assert patient.post("/enroll/personal", data, token=False).status_code == 303


def test_a_stale_token_never_echoes_the_password(app, client, practices, monkeypatch):
    patient = Patient(client)
    patient.complete_through("insurance", practices["hillcrest-internal"])
    resp = patient.post("/enroll/credentials", {**GOOD["credentials"], "action": "next",
                                                "csrf_token": _stale_token(app, client,
                                                                           monkeypatch)},
                        token=False)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert field_value(html, "username") == "MariaD84"
    assert GOOD["credentials"]["password"] not in html
    assert draft_of(app, client).password_hash is None


@pytest.mark.parametrize("path", ["/enroll/practice", "/enroll/personal", "/enroll/review",
                                  "/enroll/security", "/enroll/appointment",
                                  "/enroll/resume", "/enroll/start-over",
                                  "/enroll/check/username", "/enroll/nonsense"])
def test_no_token_without_a_draft_is_a_4xx_never_a_500(client, path):
    resp = client.post(path, data={"action": "next", "practice": "1"})
    assert 300 <= resp.status_code < 500, (path, resp.status_code)
    assert resp.status_code != 200


# --- the demo seed ----------------------------------------------------------------------

def test_seed_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "2 created" in first.output
    totals = (count(app, Practice), count(app, Provider), count(app, Location))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "0 created, 2 present" in second.output
    assert (count(app, Practice), count(app, Provider), count(app, Location)) == totals
    assert totals[0] == 2

    practices = all_rows(app, Practice)
    for practice in practices:
        for column in ("slug", "name", "street", "city", "state", "zip_code", "phone",
                       "reply_to", "timezone"):
            assert getattr(practice, column), (practice.slug, column)
        assert practice.active
        assert practice.phone.startswith("+1")
        assert "@" in practice.reply_to
    assert sorted(p.appointments_enabled for p in practices) == [False, True]
    with app.app_context():
        for practice in db.session.execute(db.select(Practice)).scalars():
            assert practice.providers and all(p.name for p in practice.providers)
            assert practice.locations and all(loc.name and loc.address
                                              for loc in practice.locations)


def test_a_practice_closed_mid_enrollment_sends_the_patient_back_to_choose(app, client,
                                                                           practices):
    """A practice deactivated after the patient chose it: nothing is submitted to it."""
    from enrollment.models import EnrollmentRequest, Practice
    patient = Patient(client)
    patient.complete_through("security", practices["riverside-family"])
    with app.app_context():
        db.session.get(Practice, practices["riverside-family"]).active = False
        db.session.commit()
    resp = patient.step("review")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/enroll/practice")
    page = patient.get("/enroll/practice").get_data(as_text=True)
    assert "no longer takes online enrollment" in page
    assert patient.get("/enroll/appointment").headers["Location"].endswith("/enroll/practice")
    with app.app_context():
        assert db.session.query(EnrollmentRequest).count() == 0
    resp = patient.step("practice", {"practice": str(practices["hillcrest-internal"])})
    assert resp.headers["Location"].endswith("/enroll/personal")
    assert "no longer takes" not in patient.get("/enroll/practice").get_data(as_text=True)
