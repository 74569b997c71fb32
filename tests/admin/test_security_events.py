"""The security log through the real routes: staff sign-in (success, failure, lock,
throttling), sign-out, access denied (the guards' redirects, 403, another practice's
ids), and every kind of decision, each one line naming ids only."""
from datetime import date

import pytest
import sqlalchemy as sa

from admin.staff.models import StaffUser
from extensions import db
from tests.admin.appointment_helpers import add_appointment, choices_of, make_appointment
from tests.admin.conftest import PASSWORD, Staff


def _staff_ids(app, email: str) -> tuple[int, int]:
    with app.app_context():
        user = db.session.execute(sa.select(StaffUser).where(StaffUser.email == email)
                                  ).scalar_one()
        return user.id, user.practice_id


def _events(log, *names) -> list[dict]:
    return [e for e in log if not names or e["event"] in names]


def _ids_only(log) -> None:
    """Nothing typed in any line: no address, no password, no name."""
    text = repr(log)
    for typed in ("@riverside.example", "@example.org", PASSWORD, "Maria", "Delgado",
                  "wrong-password"):
        assert typed not in text


def test_staff_sign_in_success_failure_and_lock(app, make_staff, monkeypatch,
                                                security_log):
    monkeypatch.setitem(app.config, "STAFF_MAX_FAILED_LOGINS", 2)
    ana = make_staff(sign_in=False)
    staff_id, practice_id = _staff_ids(app, ana.email)
    assert ana.sign_in().status_code == 303
    stranger = Staff(app.test_client(), "nobody@riverside.example")
    assert stranger.sign_in().status_code == 422
    for _ in range(3):
        assert ana.sign_in(password="wrong-password one").status_code == 422
    assert [(e["event"], e.get("reason"), e.get("staff_id")) for e in _events(
        security_log, "sign_in_succeeded", "sign_in_failed", "account_locked",
        "sign_in_locked")] == [
        ("sign_in_succeeded", None, staff_id), ("sign_in_failed", "unknown", None),
        ("sign_in_failed", "wrong", staff_id), ("account_locked", "wrong", staff_id),
        ("sign_in_locked", None, staff_id)]
    for e in _events(security_log, "sign_in_failed"):
        assert e["endpoint"] == "admin.login" and e["http_request_id"]
    # A session begins after the second factor: here the first sign-in's enrollment.
    succeeded = _events(security_log, "sign_in_succeeded")[0]
    assert succeeded["endpoint"] == "admin.mfa_codes_saved" and succeeded["http_request_id"]
    assert _events(security_log, "mfa_enrolled")[0]["staff_id"] == staff_id
    assert _events(security_log, "sign_in_succeeded")[0]["practice_id"] == practice_id
    _ids_only(security_log)


def test_a_disabled_member_is_refused_and_logged_so(app, runner, make_staff,
                                                    security_log):
    ana = make_staff(sign_in=False)
    assert runner.invoke(args=["staff", "disable", ana.email]).exit_code == 0
    assert ana.sign_in().status_code == 422
    (e,) = _events(security_log, "sign_in_failed")
    assert e["reason"] == "refused" and e["staff_id"] == _staff_ids(app, ana.email)[0]


def test_throttled_sign_in_is_logged(app, make_staff, monkeypatch, security_log):
    monkeypatch.setitem(app.config, "STAFF_LOGIN_LIMIT", "2 per minute")
    ana = make_staff(sign_in=False)
    codes = [ana.sign_in(password="wrong-password").status_code for _ in range(3)]
    assert codes == [422, 422, 429]
    (e,) = _events(security_log, "rate_limited")
    assert e["status"] == 429 and e["endpoint"] == "admin.login"
    _ids_only(security_log)


def test_sign_out_and_the_guards(app, make_staff, security_log):
    ana = make_staff()
    staff_id, practice_id = _staff_ids(app, ana.email)
    assert ana.get("/admin/audit").status_code == 403        # staff, not admin
    ana.post("/admin/logout")
    assert ana.get("/admin/").status_code == 303               # signed out now
    assert [(e["event"], e.get("reason"), e.get("staff_id"), e.get("endpoint"))
            for e in _events(security_log, "access_denied", "signed_out")] == [
        ("access_denied", "forbidden", staff_id, "admin.audit_log"),
        ("signed_out", None, staff_id, "admin.logout"),
        ("access_denied", "not_signed_in", None, "admin.queue")]


def test_an_ended_session_is_logged_as_such(app, make_staff, monkeypatch, security_log):
    ana = make_staff()
    monkeypatch.setitem(app.config, "STAFF_IDLE_MINUTES", -1)   # idle for too long
    assert ana.get("/admin/").status_code == 303
    (e,) = _events(security_log, "access_denied")
    assert e["reason"] == "session_ended"


def test_another_practices_ids_are_access_denials(app, make_staff, patient_request,
                                                  practices, security_log):
    theirs = patient_request(1, practice="hillcrest-internal")
    appointment_id = add_appointment(app, theirs.id)
    mine = patient_request(2)
    bo = make_staff("bo@hillcrest.example", practice="hillcrest-internal", admin=True)
    ana = make_staff()
    staff_id, _ = _staff_ids(app, ana.email)
    bo_id, _ = _staff_ids(app, bo.email)
    assert ana.get(f"/admin/requests/{theirs.id}").status_code == 404
    assert ana.post(f"/admin/appointments/{appointment_id}/decline",
                    {"decline_reason": "no_availability"}).status_code == 404
    assert ana.post(f"/admin/requests/{mine.id}/reject-duplicate",
                    {"of": str(theirs.id)}).status_code == 404
    assert ana.get("/admin/requests/999999").status_code == 404   # no such request
    denied = _events(security_log, "access_denied")
    assert [(e["reason"], e.get("request_id"), e.get("appointment_id"), e["staff_id"])
            for e in denied] == [
        ("other_practice", theirs.id, None, staff_id),
        ("other_practice", None, appointment_id, staff_id),
        ("other_practice", theirs.id, None, staff_id)]
    assert bo_id != staff_id and all(e["status"] == 404 for e in denied)


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_every_decision_is_one_line(app, make_staff, patient_request, practices,
                                    security_log, htmx):
    approved, rejected, asked = patient_request(1), patient_request(2), patient_request(3)
    both, both_appt = make_appointment(app, practices, 4)
    declined, declined_appt = make_appointment(app, practices, 5)
    ana = make_staff()
    staff_id, practice_id = _staff_ids(app, ana.email)
    provider, _, location, _ = choices_of(app, "riverside-family")
    slot = {"appt_day": date(date.today().year + 1, 1, 15).isoformat(),
            "appt_clock": "09:00", "appt_provider": provider, "appt_location": location}
    for path, data in [
            (f"/admin/requests/{approved.id}/approve", {}),
            (f"/admin/requests/{rejected.id}/reject", {"reason": "duplicate"}),
            (f"/admin/requests/{asked.id}/needs-info", {"message": "Call us, please.",
                                                         "sections": "insurance"}),
            (f"/admin/requests/{both.id}/approve-both", slot),
            (f"/admin/appointments/{declined_appt.id}/decline",
             {"decline_reason": "no_availability"})]:
        assert ana.post(path, data, htmx=htmx).status_code in (200, 303), path
    lines = [(e["decision"], e["request_id"], e.get("appointment_id"))
             for e in _events(security_log, "decision")]
    assert lines == [("approved", approved.id, None), ("rejected", rejected.id, None),
                     ("needs_info", asked.id, None), ("approved", both.id, None),
                     ("appointment_approved", both.id, both_appt.id),
                     ("appointment_declined", declined.id, declined_appt.id)]
    assert all(e["staff_id"] == staff_id and e["practice_id"] == practice_id
               for e in _events(security_log, "decision"))
    _ids_only(security_log)


def test_a_lost_race_is_not_a_decision(app, make_staff, patient_request, security_log):
    req = patient_request(1)
    ana, bo = make_staff(), make_staff("bo@riverside.example")
    assert ana.post(f"/admin/requests/{req.id}/approve").status_code == 303
    assert bo.post(f"/admin/requests/{req.id}/approve", htmx=True).status_code == 409
    assert len(_events(security_log, "decision")) == 1
