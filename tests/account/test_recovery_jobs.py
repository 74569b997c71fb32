"""Recovery takes the same path whether or not anything matched.
"Forgot your password?", "Forgot your username?" and the staff's "Forgot your
password?" each queue ONE outbox job holding the keyed hash of what was typed (never
the text), and nothing else: the request's database work, counted statement by
statement on the engine (before_cursor_execute), is the same for a match and for none.
The outbox sender then runs the job: it looks the account up, makes the link, renders
the email, and mails only confirmed addresses; a real SMTP server shows what went out."""
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

import crypto
from extensions import db
from outbox import DONE, JOB, OutboxMessage, send_due
from tests.account.conftest import deliver
from tests.account.recovery_helpers import visitor
from tests.admin.conftest import Staff
from tests.conftest import Clock
from tests.outbox.conftest import enroll

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def statements(app) -> list:
    """Every SQL statement the engine runs meanwhile (text only, values apart)."""
    seen = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        seen.append(" ".join(statement.split()))
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def figures(seen: list) -> dict:
    writes = [s for s in seen if s.split(" ", 1)[0].upper() in WRITES]
    reads = [s for s in seen if s.split(" ", 1)[0].upper() == "SELECT"]
    return {"statements": len(seen), "reads": len(reads), "writes": len(writes)}


def post_counted(app, path: str, field: str, typed: str, staff: bool = False):
    person = Staff(app.test_client(), "") if staff else visitor(app)
    person.get(path)
    with statements(app) as seen:
        resp = person.post(path, {field: typed})
    return resp, seen


def jobs(app) -> list[OutboxMessage]:
    with app.app_context():
        return db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.kind == JOB)
                                  .order_by(OutboxMessage.id)
                                  .execution_options(populate_existing=True)).scalars().all()


CASES = {
    "forgot-password by username": ("/forgot-password", "identifier", "username"),
    "forgot-password by address": ("/forgot-password", "identifier", "email"),
    "forgot-username": ("/forgot-username", "email", "email"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_patient_request_does_the_same_database_work_matched_or_not(
        app, patient, case, capsys):
    path, field, which = CASES[case]
    user = patient(sign_in=False)
    typed = user.username if which == "username" else user.email
    matched, seen_match = post_counted(app, path, field, typed.upper())
    other = "nobody-at-all" if which == "username" else "nobody@example.org"
    unmatched, seen_none = post_counted(app, path, field, other)
    assert matched.status_code == unmatched.status_code == 200
    assert seen_match == seen_none            # the same statements, in the same order
    assert figures(seen_match)["writes"] == 1 and "INSERT INTO outbox_message" in \
        " ".join(seen_match)
    with capsys.disabled():
        print(f"\n{case}: match {figures(seen_match)}, no match {figures(seen_none)}")
    queued = jobs(app)
    assert [j.payload for j in queued] == [crypto_hash(app, typed), crypto_hash(app, other)]
    for job in queued:   # the typed text is in no column of the row
        assert typed.lower() not in repr(vars(job)).lower() and other not in repr(vars(job))


def crypto_hash(app, value: str) -> str:
    with app.app_context():
        return crypto.name_hash(value)


def test_the_staff_request_does_the_same_database_work_matched_or_not(
        app, make_staff, capsys):
    sam = make_staff("sam@riverside.example", sign_in=False)
    matched, seen_match = post_counted(app, "/admin/forgot", "email", sam.email, staff=True)
    unmatched, seen_none = post_counted(app, "/admin/forgot", "email",
                                        "nobody@riverside.example", staff=True)
    assert matched.status_code == unmatched.status_code == 200
    assert seen_match == seen_none and figures(seen_match)["writes"] == 1
    with capsys.disabled():
        print(f"\nstaff forgot: match {figures(seen_match)}, no match {figures(seen_none)}")
    assert [j.template for j in jobs(app)] == ["staff_forgot_password"] * 2


def test_the_worker_mails_confirmed_addresses_only(app, practices, patient, smtp, make_staff):
    """A real SMTP server gets the link for the confirmed patient, the usernames, the
    staff member's link; nothing for an unknown name, and nothing for an address that
    was never confirmed, even one typed exactly (someone enrolled with another person's
    address cannot make the portal mail that person a username or a link)."""
    owner = patient(0, sign_in=False)
    enroll(app, practices["riverside-family"], 1, personal={"email": "victim@example.org"})
    squatter_username = "outbox-user1"   # enrolled with someone else's address
    sam = make_staff("sam@riverside.example", sign_in=False)
    with app.app_context():
        send_due()   # the enrollments' own emails first
    before = len(smtp.messages)
    for path, field, typed in [
            ("/forgot-password", "identifier", owner.username),
            ("/forgot-username", "email", owner.email),
            ("/forgot-password", "identifier", squatter_username),
            ("/forgot-password", "identifier", "victim@example.org"),
            ("/forgot-username", "email", "victim@example.org"),
            ("/forgot-password", "identifier", "nobody-at-all")]:
        person = visitor(app)
        person.get(path)
        assert person.post(path, {field: typed}).status_code == 200
    staff = Staff(app.test_client(), "")
    staff.get("/admin/forgot")
    staff.post("/admin/forgot", {"email": sam.email.upper()})
    assert len(smtp.messages) == before   # the requests sent nothing themselves
    with app.app_context():
        report = send_due()
    assert report.jobs == 7 and report.failed == 0
    got = {(m.rcpt_tos[0], str(m.message["Subject"]).strip())
           for m in smtp.messages[before:]}
    assert got == {
        (owner.email, "Choose a new password for your patient portal account with "
                      "Riverside Family Medicine"),
        (owner.email, "Your patient portal username"),
        (sam.email, "Choose a new password for the staff dashboard of Riverside Family "
                    "Medicine")}
    assert [m.message["Subject"] for m in deliver(app, smtp, "victim@example.org")] == [
        "Riverside Family Medicine received your enrollment request"]   # that only
    assert all(j.status == DONE and j.payload == "" for j in jobs(app))


def test_a_job_that_fails_is_retried_like_a_message(app):
    """A handler's error rolls its work back; the job waits its back-off and runs again."""
    from database import write_transaction
    from outbox import enqueue_job, register_job
    calls = []

    def flaky(payload):
        calls.append(payload)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
    register_job(app, "test_flaky", flaky)
    try:
        with app.app_context(), write_transaction():
            enqueue_job("test_flaky", "h" * 64)
        with app.app_context():
            from outbox.models import utcnow
            clock = Clock(utcnow())
            first = send_due(clock=clock)
            clock.advance(app.config["OUTBOX_BACKOFF_SECONDS"])
            second = send_due(clock=clock)
        assert (first.retrying, first.jobs) == (1, 0) and second.jobs == 1
        assert calls == ["h" * 64, "h" * 64]
        [job] = jobs(app)
        assert job.status == DONE and job.attempts == 2
    finally:
        app.extensions["outbox_jobs"].pop("test_flaky")
