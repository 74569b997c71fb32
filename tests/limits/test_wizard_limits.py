"""Rule 3 in the wizard: over a limit the draft already saved is kept and shown after the
wait; the practice's hourly ceiling tells the patient to try later (draft intact) and
its staff on the dashboard; the whole enrollments one client makes in an hour by the
proof-of-work path."""
import time

import pytest
import sqlalchemy as sa

from enrollment.models import Draft, EnrollmentRequest
from extensions import db
from tests.limits.conftest import minutes_said, pass_human_check, patient_at, robot_on
from tests.wizard import GOOD, read_page


def drafts(app) -> list[Draft]:
    with app.app_context():
        return list(db.session.execute(sa.select(Draft).execution_options(
            populate_existing=True)).scalars())


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_a_post_over_the_limit_keeps_the_draft_shown_after_the_wait(
        app, practices, default_limits, monkeypatch, htmx):
    monkeypatch.setitem(app.config, "ENROLL_POST_LIMIT", "3 per 2 seconds")
    patient = patient_at(app, "198.51.100.41", htmx=htmx)
    patient.complete_through("personal", practices["riverside-family"])
    changed = {**GOOD["personal"], "street": "99 Other Road", "first_name": "Marta"}
    assert patient.step("personal", changed, action="back").status_code in (200, 303)
    [before] = drafts(app)
    refused = patient.step("personal", {**changed, "city": "Elsewhere"})
    assert refused.status_code == 429
    assert minutes_said(refused.get_data(as_text=True)) == 1
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 3
    [after] = drafts(app)
    assert (after.data, after.clean, after.done) == (before.data, before.clean, before.done)
    time.sleep(wait)
    page = read_page(patient.get("/enroll/personal").get_data(as_text=True)).values
    assert page["street"] == ["99 Other Road"] and page["first_name"] == ["Marta"]
    assert page["city"] == ["Springfield"]   # the refused post changed nothing
    assert patient.step("personal", changed).status_code in (200, 303)


def test_the_practice_ceiling_tells_patient_and_staff(app, practices, default_limits,
                                                      monkeypatch, make_staff):
    monkeypatch.setitem(app.config, "PRACTICE_SUBMISSIONS_PER_HOUR", 2)
    riverside = practices["riverside-family"]
    for n in range(2):
        patient = patient_at(app, f"198.51.100.{50 + n}")
        patient.complete_through("review", riverside, personal={
            **GOOD["personal"], "email": f"p{n}@example.org"},
            credentials={**GOOD["credentials"], "username": f"ceiling-user{n}"})
    late = patient_at(app, "198.51.100.60", htmx=True)
    late.complete_through("security", riverside)
    refused = late.step("review")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Your answers are saved" in html
    assert "received more requests than usual" in html and minutes_said(html) == 60
    assert "Complete enrollment" in html   # the review step, ready to try again
    [draft] = [d for d in drafts(app) if d.submitted_at is None]
    assert "security" in draft.done and draft.clean["personal"]["first_name"] == "Maria"
    other = patient_at(app, "198.51.100.61")   # another practice: its own ceiling
    other.complete_through("review", practices["hillcrest-internal"], credentials={
        **GOOD["credentials"], "username": "hillcrest-user"})
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(
            EnrollmentRequest)).scalar_one() == 3
    staff = make_staff()
    queue = staff.get("/admin/").get_data(as_text=True)
    notice = read_page(queue).texts["ceiling-notice"]
    assert "1 request could not be sent in the last hour" in notice
    assert "PRACTICE_SUBMISSIONS_PER_HOUR (now 2)" in notice
    bo = make_staff("bo@hillcrest.example", practice="hillcrest-internal")
    assert "ceiling-notice" not in bo.get("/admin/").get_data(as_text=True)


def test_no_notice_without_refusals(app, practices, make_staff):
    assert "ceiling-notice" not in make_staff().get("/admin/").get_data(as_text=True)


def test_enrollments_one_client_makes_in_an_hour_by_proof_of_work(app, practices,
                                                                  default_limits,
                                                                  monkeypatch):
    """Driven as fast as the client goes, the proof of work solved each time, from one
    address: 5 whole enrollments (SUBMIT_LIMIT), then the 6th is refused at submission
    with its draft intact.  ENROLL_POST_LIMIT's per-minute part is left out (this test
    cannot wait the minutes it would add; it only spreads the 5 over 2 minutes)."""
    robot_on(app, monkeypatch)
    monkeypatch.setitem(app.config, "ENROLL_POST_LIMIT", "200 per hour")
    outcomes = []
    for n in range(6):
        patient = patient_at(app, "198.51.100.70")
        patient.complete_through("personal", practices["riverside-family"], personal={
            **GOOD["personal"], "email": f"pow{n}@example.org"})
        pass_human_check(patient)
        for name, data in (("credentials", {**GOOD["credentials"], "username": f"pow-user{n}"}),
                           ("security", GOOD["security"]), ("review", GOOD["review"])):
            resp = patient.step(name, data)
        outcomes.append(resp.status_code)
    assert outcomes == [303] * 5 + [429]
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(
            EnrollmentRequest)).scalar_one() == 5
    [kept] = [d for d in drafts(app) if d.submitted_at is None]
    assert {"security", "review"} <= set(kept.done) and kept.clean["credentials"] == {
        "username": "pow-user5"}
