"""Protected health information at rest: a patient enrolls with insurance and asks for
an appointment, another leaves a draft half done, the "request received" email waits in
the outbox; then the database is read raw (SQLite: the file and its -wal after a
checkpoint; PostgreSQL: pg_dump of the test database) and none of what was typed is
there: the date of birth in any common form, the member ID, the group number, the
subscriber, the reason for the visit, the email's body.

The test proves it can fail: the same values ARE read back through the models, and a
plain value planted in a plain column IS found in the raw bytes."""
import os
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from enrollment.demo import seed
from enrollment.models import AppointmentRequest, Draft, EnrollmentRequest, Practice
from extensions import db
from outbox import OutboxMessage
from tests.conftest import CHEAP_ARGON2
from tests.wizard import GOOD, Patient

BORN = "1980-04-27"
BORN_FORMS = ("1980-04-27", "04/27/1980", "4/27/1980", "19800427", "April 27, 1980",
              "Apr 27, 1980", "27 April 1980", "1980/04/27", "27/04/1980", "04-27-1980")
MEMBER_ID, GROUP = "QMZ48150162", "GRP-77319"
SUBSCRIBER = "Rosalind Quenby"
REASON = "Persistent migraine with aura since March"
INSURANCE = {"carrier": "Blue Prairie PPO", "member_id": MEMBER_ID, "group_number": GROUP,
             "subscriber_name": SUBSCRIBER, "relationship": "spouse",
             "claim_street": "PO Box 1000", "claim_line2": "", "claim_city": "Chicago",
             "claim_state": "IL", "claim_zip": "60601"}
SECRETS = (*BORN_FORMS, MEMBER_ID, GROUP, SUBSCRIBER, REASON, "enroll/confirm/")
PLANTED = "Qwertyvillezz"   # written into a plain column: the scan must find it


def enroll(app, practice_id: int) -> None:
    """Through the wizard: enrollment with insurance and an appointment request."""
    patient = Patient(app.test_client())
    personal = {**GOOD["personal"], "date_of_birth": BORN}
    patient.complete_through("security", practice_id, personal=personal,
                             insurance=INSURANCE)
    assert patient.step("review", GOOD["review"], action="appointment").status_code == 303
    patient.get("/enroll/appointment")
    resp = patient.post("/enroll/appointment", {"reason": REASON, "days": ["mon"],
                                                "times": ["morning"], "action": "next"})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]


def leave_a_draft(app, practice_id: int) -> None:
    """Another patient stops after the insurance step (the date typed another way)."""
    patient = Patient(app.test_client())
    personal = {**GOOD["personal"], "date_of_birth": "04/27/1980",
                "email": "second@example.org"}
    patient.complete_through("insurance", practice_id, personal=personal,
                             insurance=INSURANCE)


def read_back(app) -> None:
    """Through the models every value is there, decrypted: the raw scan below is not
    empty-handed for want of data."""
    with app.app_context():
        req = db.session.execute(sa.select(EnrollmentRequest)).scalar_one()
        assert req.date_of_birth == date(1980, 4, 27)
        assert (req.insurance_member_id, req.insurance_group, req.subscriber_name) == (
            MEMBER_ID, GROUP, SUBSCRIBER)
        assert db.session.execute(sa.select(AppointmentRequest.reason)).scalar_one() == REASON
        draft = db.session.execute(sa.select(Draft).where(Draft.submitted_at.is_(None))
                                   ).scalar_one()
        assert draft.data["personal"]["date_of_birth"] == ["04/27/1980"]
        assert draft.clean["personal"]["date_of_birth"] == BORN
        assert draft.clean["insurance"]["member_id"] == MEMBER_ID
        waiting = db.session.execute(sa.select(OutboxMessage)).scalars().all()
        assert waiting and all(m.status == "pending" for m in waiting)
        assert any("enroll/confirm/" in m.body_text for m in waiting)
        # The plant: a value in a plain column, which the scan must see.
        db.session.execute(sa.update(EnrollmentRequest).values(city=PLANTED))
        db.session.commit()


def sqlite_bytes(url: str) -> bytes:
    path = sa.engine.make_url(url).database
    with sqlite3.connect(path) as conn:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(FULL)").fetchone()
        assert busy == 0
    wal = Path(path + "-wal")
    return Path(path).read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def pg_dump_bytes(url: str) -> bytes:
    u = sa.engine.make_url(url)
    env = {**os.environ, **({"PGPASSWORD": u.password} if u.password else {})}
    argv = ["pg_dump", "--no-owner", "-h", u.host or "127.0.0.1", "-p", str(u.port or 5432),
            "-U", u.username or "postgres", u.database]
    return subprocess.run(argv, env=env, capture_output=True, check=True,
                          timeout=120).stdout


def found_in(raw: bytes) -> list[str]:
    text = raw.decode("latin-1").lower()
    return [value for value in (*SECRETS, PLANTED) if value.lower() in text]


def run_and_scan(app) -> list[str]:
    with app.app_context():
        seed()
        riverside = db.session.execute(sa.select(Practice.id).where(
            Practice.slug == "riverside-family")).scalar_one()
    enroll(app, riverside)
    leave_a_draft(app, riverside)
    read_back(app)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        db.session.remove()
        if url.startswith("sqlite"):
            db.engine.dispose()   # no connection of ours holds the log open
    raw = sqlite_bytes(url) if url.startswith("sqlite") else pg_dump_bytes(url)
    return found_in(raw)


def test_nothing_typed_is_in_the_raw_database(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        # A file of its own: no other test's deleted rows in its free pages.
        app = create_app({"TESTING": True, "SECRET_KEY": "t" * 40, "HUMAN_CHECK": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'raw.db'}",
                          **CHEAP_ARGON2})
        with app.app_context():
            db.create_all()
    elif not url.startswith("postgresql"):
        pytest.skip("SQLite or PostgreSQL only")
    assert run_and_scan(app) == [PLANTED]
