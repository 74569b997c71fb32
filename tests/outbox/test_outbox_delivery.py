"""Delivery: an outage loses and duplicates nothing; retries back off, then fail; a
permanent refusal fails at once; leases keep two senders from sending one message twice
(PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: a conditional UPDATE); the CLI and the
development mail sink.  Time moves with a clock handed to the sender, never by sleeping."""
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from database import write_transaction
from extensions import db
from outbox import FAILED, PENDING, SENT, OutboxMessage, Report, enqueue, send_due
from outbox.models import utcnow
from outbox.sender import LEASE, _finish, claim
from outbox.sink import EmlWriter
from tests.outbox.conftest import ABOUT, enroll, free_port, mail_to

TEST_DB = os.environ.get("TEST_DATABASE_URL", "")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def queue(app, n: int, prefix: str = "p") -> None:
    with app.app_context(), app.test_request_context(), write_transaction():
        for i in range(n):
            enqueue("rejected", to=f"{prefix}{i}@example.org", from_name="Practice",
                    context={"practice": {"name": "Practice", "phone": "1", "reply_to": ""},
                             "first_name": "A", "reason": "r", "about": ABOUT})


def rows(app) -> list[OutboxMessage]:
    with app.app_context():
        return db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)
                                  .execution_options(populate_existing=True)).scalars().all()


def test_an_outage_loses_nothing_and_duplicates_nothing(app, smtp, practices, capsys):
    smtp.stop()   # the mail server is down while patients submit
    for n in range(6):
        enroll(app, practices["riverside-family" if n % 2 else "hillcrest-internal"], 10 + n)
    queued = len(rows(app))
    clock, outage = Clock(utcnow()), timedelta(minutes=10)
    recovery = clock.now + outage
    with app.app_context():
        while clock.now < recovery:   # the watcher's passes, every 30 s, all failing
            assert send_due(clock=clock).sent == 0
            clock.advance(30)
    during = rows(app)
    assert smtp.messages == [] and {r.status for r in during} == {PENDING}
    assert {r.attempts for r in during} == {4}   # tried at 0, 1, 3 and 7 minutes
    assert all("ConnectionRefused" in r.last_error for r in during)
    smtp.start()
    passes = 0
    with app.app_context():
        while any(r.status == PENDING for r in rows(app)) and passes < 200:
            send_due(clock=clock)
            clock.advance(30)
            passes += 1
    after = rows(app)
    ids = [m.message_id for m in smtp.messages]
    delivered = len({r.message_id for r in after} & set(ids))
    figures = {"queued": queued, "delivered": delivered, "lost": queued - delivered,
               "duplicated": len(ids) - len(set(ids)),
               "longest delay": max(r.sent_at - r.created_at for r in after),
               "after recovery": max(r.sent_at for r in after) - recovery}
    with capsys.disabled():
        print("\noutage figures: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    assert (figures["queued"], figures["delivered"], figures["lost"],
            figures["duplicated"]) == (6, 6, 0, 0)
    assert {r.status for r in after} == {SENT} and {r.attempts for r in after} == {5}
    assert figures["longest delay"] < timedelta(minutes=16)   # the 4th back-off: 8 min
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == [
        f"patient{n}@example.org" for n in range(10, 16)]


def test_retries_back_off_then_fail_and_can_be_queued_again(app, smtp, runner, monkeypatch):
    smtp.stop()
    queue(app, 1)
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    clock, waits = Clock(utcnow()), []
    with app.app_context():
        for expected in (Report(retrying=1), Report(retrying=1), Report(),
                         Report(failed=1)):   # at 0, 1, 2 (not due yet), 3 minutes
            assert send_due(clock=clock) == expected
            [row] = rows(app)
            waits.append(row.next_attempt_at - clock.now)
            clock.advance(60)
    assert waits[:2] == [timedelta(seconds=60), timedelta(seconds=120)]
    [row] = rows(app)
    assert (row.status, row.attempts) == (FAILED, 3) and row.body_text
    assert "failed: 1" in runner.invoke(args=["outbox", "status"]).output
    assert "1 failed message(s) queued again" in runner.invoke(
        args=["outbox", "retry-failed"]).output
    smtp.start()
    out = runner.invoke(args=["outbox", "send"]).output
    assert "1 sent, 0 to retry, 0 failed" in out
    assert len(smtp.messages) == 1 and rows(app)[0].status == SENT
    assert "sent: 1" in runner.invoke(args=["outbox", "status"]).output


def test_a_permanent_refusal_fails_at_once(app, smtp):
    smtp.handler.refuse.add("p0@example.org")
    queue(app, 2)
    with app.app_context():
        assert send_due() == Report(sent=1, failed=1)
    refused, sent = rows(app)
    assert (refused.status, refused.attempts) == (FAILED, 1) and "550" in refused.last_error
    assert sent.status == SENT and [m.rcpt_tos for m in smtp.messages] == [["p1@example.org"]]


def test_a_lease_keeps_a_message_to_one_sender_until_it_expires(app):
    queue(app, 1)
    with app.app_context():
        now = utcnow()
        first = claim(now)
        assert first is not None and first[0].attempts == 1
        assert claim(now) is None and claim(now + LEASE - timedelta(seconds=1)) is None
        # The first sender went silent (the duplicate window): after its lease, another
        # may take the message; the first can then no longer mark it.
        second = claim(now + LEASE + timedelta(seconds=1))
        assert second[0].id == first[0].id and second[0].attempts == 2
        assert not _finish(first[0], first[1], {"status": SENT})
        assert _finish(second[0], second[1], {"status": SENT})
    assert rows(app)[0].status == SENT


def two_senders(app, smtp, n: int = 40) -> list[Report]:
    queue(app, n)
    smtp.handler.delay = 0.003   # each SMTP conversation takes a moment: they overlap
    start, reports, errors = threading.Barrier(2), [None, None], []

    def sender(i: int) -> None:
        try:
            with app.app_context():
                start.wait()
                reports[i] = send_due(limit=10 * n)
        except Exception as exc:   # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    ids = [m.message_id for m in smtp.messages]
    assert len(ids) == n and len(set(ids)) == n   # each message delivered exactly once
    assert sum(r.sent for r in reports) == n and not any(r.lost_lease for r in reports)
    assert {r.status for r in rows(app)} == {SENT}
    return reports


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DB.startswith("postgresql"),
                    reason="TEST_DATABASE_URL is not PostgreSQL")
def test_two_senders_on_one_outbox_postgresql(app, smtp, capsys):
    reports = two_senders(app, smtp)
    with capsys.disabled():
        print(f"\ntwo senders on PostgreSQL: {reports[0].sent} + {reports[1].sent} sent")


@pytest.mark.skipif(TEST_DB.startswith("postgresql"), reason="the SQLite variant")
def test_two_senders_on_one_outbox_sqlite(app, smtp):
    two_senders(app, smtp)


def test_the_mail_sink_keeps_eml_files_and_prints_no_body(app, practices, tmp_path,
                                                          monkeypatch):
    lines, port = [], free_port()
    sink = Controller(EmlWriter(tmp_path / "mail", echo=lines.append), hostname="127.0.0.1",
                      port=port)
    sink.start()
    mail_to(monkeypatch, app, port)
    try:
        enroll(app, practices["hillcrest-internal"], 30)
        with app.app_context():
            assert send_due().sent == 1
    finally:
        sink.stop()
    [eml] = list((tmp_path / "mail").glob("*.eml"))
    text = eml.read_text()
    assert "To: patient30@example.org" in text and "/enroll/confirm/" in text
    [line] = lines
    assert "Hillcrest Internal Medicine received your enrollment request" in line
    assert "patient30@example.org" in line
    assert "confirm/" not in line and "Hello" not in line


def test_the_mail_sink_command(tmp_path):
    """`flask --app app mail-sink`, as `make run` starts it, stopped by SIGTERM."""
    import smtplib
    port, folder = free_port(), tmp_path / "eml"
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "mail-sink",
                             "--port", str(port), "--dir", str(folder)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                    client.sendmail("a@example.org", ["b@example.org"],
                                    b"Subject: hello sink\r\n\r\nsecret body\r\n")
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0, out
    assert "mail-sink: 'hello sink' to b@example.org" in out and "secret body" not in out
    [eml] = list(folder.glob("*.eml"))
    assert b"secret body" in eml.read_bytes()
