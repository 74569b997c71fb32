"""Nothing a person typed reaches a log line.  One patient's whole story, through the
real routes and the real SMTP server: an enrollment with insurance and an appointment
request, the email confirmed through its link, staff searching, viewing and approving
both, a failed and a good sign-in, a recovery (forgot password, the emailed link, the
answers, a new password) and a forgotten username.  Every log record is captured at
DEBUG from the root logger down (the app's, werkzeug's, SQLAlchemy's, Flask-Limiter's)
together with what the app's own handlers write to stderr; then every value typed, in
the forms people write it, is searched for: 0 hits.  The security events the story
must produce are asserted too, and a planted value is found, so the test fails both
ways."""
import hashlib
import logging

import pytest

from tests.account.conftest import PatientUser, deliver
from tests.account.recovery_helpers import asked_questions, link_of, mail, visitor
from tests.admin.appointment_helpers import choices_of
from tests.admin.conftest import request_of
from tests.outbox.test_outbox_confirm import LINK as CONFIRM_LINK
from tests.wizard import GOOD, Patient

PERSONAL = {"first_name": "Zaviera", "middle_name": "Quill", "last_name": "Okonkwo-Lindqvist",
            "street": "77 Wintergreen Lane", "line2": "Unit 9B", "city": "Fairhope",
            "state": "AL", "zip_code": "36532", "phone": "(415) 555-0187",
            "date_of_birth": "11/23/1979", "email": "Zaviera.OL@example.net"}
INSURANCE = {"carrier": "Bluefinch Mutual", "member_id": "ZQX9981234",
             "group_number": "GRP-55731", "subscriber_name": "Zaviera Okonkwo-Lindqvist",
             "relationship": "self", "claim_street": "PO Box 4471", "claim_line2": "",
             "claim_city": "Tallowood", "claim_state": "TX", "claim_zip": "75001"}
USERNAME, PASSWORD = "zavieraQ79", "lantern orchard velvet 4419"
NEW_PASSWORD = "copper meadow thistle 8812"
ANSWERS = {"first_school": "Bramblewick Academy", "first_pet": "Pumpernickel",
           "birth_city": "Oxenhope", "first_job": "Lighthouse keeper",
           "first_car": "Studebaker Lark"}
REASON = "Recurring migraines with aura since March"
SECURITY = {k: v for i, (q, a) in enumerate(ANSWERS.items(), 1)
            for k, v in ((f"question_{i}", q), (f"answer_{i}", a))}


def typed_values() -> set[str]:
    """Everything the patient and the staff typed, in the forms it is commonly written."""
    dob = ["1979-11-23", "11/23/1979", "11-23-1979", "23/11/1979", "19791123",
           "1979/11/23", "Nov 23, 1979", "November 23, 1979", "23 Nov 1979",
           "1979, 11, 23"]
    phone = ["(415) 555-0187", "415-555-0187", "415.555.0187", "4155550187",
             "+14155550187", "555-0187", "5550187"]
    names = [PERSONAL["first_name"], PERSONAL["middle_name"], PERSONAL["last_name"],
             "Okonkwo", "Lindqvist"]
    values = {*dob, *phone, *names, PERSONAL["street"], "Wintergreen", PERSONAL["email"],
              PERSONAL["email"].lower(), USERNAME, USERNAME.lower(), PASSWORD,
              NEW_PASSWORD, REASON, "migraines", INSURANCE["member_id"],
              INSURANCE["group_number"], INSURANCE["carrier"], "Tallowood", "PO Box 4471"}
    values |= set(ANSWERS.values()) | {a.lower() for a in ANSWERS.values()}
    return values


def hits(text: str, values) -> set[str]:
    lowered = text.lower()
    return {v for v in values if v.lower() in lowered}


def enroll_everything(app, practice_id: int) -> Patient:
    patient = Patient(app.test_client())
    data = {"personal": PERSONAL, "insurance": INSURANCE,
            "credentials": {"username": USERNAME, "password": PASSWORD, "confirm": PASSWORD},
            "security": SECURITY}
    patient.complete_through("security", practice_id, **data)
    assert patient.step("review", GOOD["review"], action="appointment").status_code == 303
    provider, _, location, _ = choices_of(app, "riverside-family")
    patient.get("/enroll/appointment")
    resp = patient.post("/enroll/appointment", {
        "reason": REASON, "days": ["tue"], "times": ["afternoon"], "provider": provider,
        "location": location, "action": "next"})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    return patient


def confirm_address(app, smtp, patient) -> str:
    (message,) = [m for m in deliver(app, smtp, PERSONAL["email"])
                  if CONFIRM_LINK.search(m.part("plain"))]
    path, token = CONFIRM_LINK.search(message.part("plain")).groups()
    patient.get(path)
    assert patient.post(path, {}).status_code in (200, 303)
    return token


def staff_decide(app, make_staff, request_id: int) -> None:
    staff = make_staff()
    staff.get("/admin/")
    for by, term in (("name", "okonkwo"), ("dob", PERSONAL["date_of_birth"]),
                     ("email", PERSONAL["email"])):
        html = staff.post("/admin/search", {"by": by, "q": term}, htmx=True).get_data(
            as_text=True)
        assert f"/admin/requests/{request_id}" in html, by
    assert staff.get(f"/admin/requests/{request_id}").status_code == 200
    provider, _, location, _ = choices_of(app, "riverside-family")
    resp = staff.post(f"/admin/requests/{request_id}/approve-both", {
        "appt_day": "2031-02-04", "appt_clock": "10:30", "appt_provider": provider,
        "appt_location": location})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]


def recover(app, smtp, monkeypatch) -> str:
    person = visitor(app)
    person.get("/forgot-password")
    assert person.post("/forgot-password", {"identifier": PERSONAL["email"]}).status_code == 200
    path = link_of(mail(app, smtp, PERSONAL["email"], "new password")[-1])
    page = person.get(path).get_data(as_text=True)
    questions = asked_questions(app, page)
    wrong = {f"answer_{i}": "Gorseberry" for i in (1, 2)}
    person.post(path, {**wrong, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    right = {f"answer_{i}": ANSWERS[q] for i, q in enumerate(questions, 1)}
    resp = person.post(path, {**right, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    person.get("/forgot-username")
    assert person.post("/forgot-username", {"email": PERSONAL["email"]}).status_code == 200
    # One more "forgot password" than the limit allows: Flask-Limiter logs the breach.
    monkeypatch.setitem(app.config, "PATIENT_RECOVERY_LIMIT", "1 per hour")
    codes = [person.post("/forgot-password", {"identifier": PERSONAL["email"]}).status_code
             for _ in range(2)]
    assert codes == [200, 429]
    return path.rsplit("/", 1)[1]


def story(app, smtp, practices, make_staff, monkeypatch) -> tuple[list[str], dict]:
    patient = enroll_everything(app, practices["riverside-family"])
    confirm_token = confirm_address(app, smtp, patient)
    req = request_of(app, PERSONAL["email"])
    staff_decide(app, make_staff, req.id)
    user = PatientUser(app.test_client(), USERNAME, req.email, req.id)
    assert user.sign_in(password="not " + PASSWORD).status_code == 401
    assert user.sign_in(password=PASSWORD).status_code == 303
    user.post("/logout")
    recovery_token = recover(app, smtp, monkeypatch)
    assert user.sign_in(password=NEW_PASSWORD).status_code == 303
    deliver(app, smtp, req.email)
    tokens = [confirm_token, recovery_token]
    return tokens + [hashlib.sha256(t.encode()).hexdigest() for t in tokens], {
        "request_id": req.id}


def test_no_value_typed_reaches_any_log_line(app, smtp, practices, make_staff, caplog,
                                             capsys, monkeypatch):
    # DEBUG at the root, as an operator turning logging all the way up would: every
    # logger without a level of its own follows (werkzeug, Flask-Limiter, the app's).
    # SQLAlchemy's keep theirs (WARNING): production never echoes SQL.
    caplog.set_level(logging.DEBUG)
    tokens, ids = story(app, smtp, practices, make_staff, monkeypatch)
    streams = capsys.readouterr()
    # aiosmtpd ("mail.log") is the test's receiving mail server: it logs the emails it
    # is sent, links and all.  Every other record is the app's or its libraries'.
    records = [r for r in caplog.records if not r.name.startswith("mail.log")]
    lines = [f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in records]
    lines += (streams.err + streams.out).splitlines()
    text = "\n".join(lines)
    values = typed_values() | set(tokens)

    # It can fail: a value logged at DEBUG by any logger is found.
    logging.getLogger("app").debug("planted %s", PERSONAL["last_name"])
    planted = [f"{r.name} {r.getMessage()}" for r in caplog.records[-1:]]
    assert hits("\n".join(planted), values) >= {PERSONAL["last_name"]}

    assert hits(text, values) == set(), [line for line in lines if hits(line, values)]
    print(f"log scan: {len(lines)} lines ({len(records)} records), {len(values)} values")
    print("loggers:", sorted({r.name for r in records}))

    # ... and it saw what it should: the story's security events, one JSON line each.
    events = [r.security_event for r in records if hasattr(r, "security_event")]
    json_lines = [line for line in streams.err.splitlines() if line.startswith('{"ts"')]
    assert len(json_lines) == len(events) >= 9
    seen = {(e["event"], e.get("kind"), e.get("reason"), e.get("decision")) for e in events}
    for expected in [("sign_in_succeeded", "staff", None, None),
                     ("decision", "staff", None, "approved"),
                     ("decision", "staff", None, "appointment_approved"),
                     ("sign_in_failed", "patient", "wrong", None),
                     ("sign_in_succeeded", "patient", None, None),
                     ("signed_out", "patient", None, None),
                     ("recovery_link_sent", "patient", None, None),
                     ("recovery_failed", "patient", None, None),
                     ("password_reset", "patient", None, None),
                     ("rate_limited", None, None, None)]:
        assert expected in seen, expected
    # Every line of a web request names it; the recovery job's (the outbox sender's,
    # outside any request) names no request of the web.
    in_requests = [e for e in events if e["event"] != "recovery_link_sent"]
    assert all(e["http_request_id"] for e in in_requests)
    assert all("http_request_id" not in e for e in events if e not in in_requests)
    assert any(r.name == "flask-limiter" for r in records)   # its breach line, scanned
    decided = [e for e in events if e["event"] == "decision"]
    assert {e["request_id"] for e in decided} == {ids["request_id"]}


@pytest.mark.parametrize("value", ["11/23/1979", "(415) 555-0187", "ZQX9981234"])
def test_the_scan_finds_a_value_in_any_form(value):
    """The search itself: case-insensitive, anywhere in a line."""
    assert hits(f'{{"x": "{value.upper()}"}}', typed_values()) >= {value}
    assert hits("nothing typed here", typed_values()) == set()
