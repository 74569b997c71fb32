"""Migrations, each test on a database of its own: the revisions build the models'
schema, step down to nothing and up again, and a step down keeps the rows of every
table it does not drop.  0007 stops, with a clear message and nothing changed, while
audit rows without a staff member (a patient's) exist: audit rows are never deleted.
SQLite always; PostgreSQL too when TEST_DATABASE_URL names one (`make test`'s second
pass).  Every `flask db` run must print no warning (a new user reads one as breakage).
"""
import itertools
import json
import os
import subprocess
import sys
import warnings
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from extensions import db

ROOT = Path(__file__).resolve().parent.parent
TEST_DB = os.environ.get("TEST_DATABASE_URL", "")
NAMES = itertools.count()


def _env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PORTAL_ENV", "TEST_DATABASE_URL")}
    env.update(DATABASE_URL=database_url, SECRET_KEY="m" * 40)
    return env


def _run(argv: list, database_url: str, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, cwd=ROOT, env=_env(database_url), capture_output=True,
                            text=True, timeout=180)
    assert (result.returncode == 0) is ok, result.stdout + result.stderr
    warned = [line for line in result.stderr.splitlines()
              if "Warning" in line or line.startswith("WARN")]
    assert warned == [], result.stderr
    return result


def _flask(*args, database_url: str, ok: bool = True) -> subprocess.CompletedProcess:
    return _run([str(Path(sys.executable).with_name("flask")), "--app", "app", *args],
                database_url, ok)


@contextmanager
def postgres_database():
    """A new, empty PostgreSQL database next to TEST_DATABASE_URL's; dropped after."""
    import psycopg
    name = f"test_migrations_{os.getpid()}_{next(NAMES)}"
    admin = sa.engine.make_url(TEST_DB).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(TEST_DB).set(database=name).render_as_string(
            hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request, tmp_path):
    """An empty database: SQLite, and PostgreSQL when the suite runs on it."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "fresh.db")
        return
    if not TEST_DB.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL")
    with postgres_database() as url:
        yield url


# --- the schema -------------------------------------------------------------------------

# Down to nothing and up again, in one process (each start of the app takes a while).
ROUND_TRIP = """
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from app import create_app
from extensions import db
app = create_app()
with app.app_context():
    downgrade(revision="base")
    left = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    print("LEFT:" + ",".join(sorted(left)))
    upgrade()
"""


def _schema_differences(app, url: str) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn, warnings.catch_warnings():
            if url.startswith("sqlite"):
                # SQLite cannot reflect expression indexes (lower(last_name)...), so the
                # compare skips them there and says so; PostgreSQL compares them.
                warnings.filterwarnings("ignore", "Skipped unsupported reflection of "
                                        "expression-based index", sa.exc.SAWarning)
                warnings.filterwarnings("ignore", "autogenerate skipping metadata-"
                                        "specified expression-based index", UserWarning)
            context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                             "compare_server_default": False})
            with app.app_context():
                return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def test_migrations_build_the_models_schema_on_sqlite(app, tmp_path):
    url = "sqlite:///" + str(tmp_path / "fresh.db")
    _flask("db", "upgrade", database_url=url)
    assert _schema_differences(app, url) == []
    # ... and every revision steps down to nothing and up again.
    output = _run([sys.executable, "-c", ROUND_TRIP], url).stdout
    assert "LEFT:\n" in output
    assert _schema_differences(app, url) == []


@pytest.mark.postgres
def test_migrations_build_the_models_schema_on_postgresql(app):
    if not TEST_DB.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL")
    with postgres_database() as url:
        _flask("db", "upgrade", database_url=url)
        assert _schema_differences(app, url) == []


# --- stepping down with data in the tables ----------------------------------------------

T0 = datetime(2026, 11, 20, 9, 30)
LATER = T0 + timedelta(days=1)
HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"


# One practice's life, a row or more in every table: a patient enrolled (with an
# appointment request), was asked for information, answered, and was approved.
ROWS = [
    ("practice", dict(id=1, slug="riverside-family", name="Riverside Family Practice",
                      street="12 River Rd", city="Austin", state="TX", zip_code="73301",
                      phone="+15125550100", reply_to="front@riverside.example",
                      timezone="America/Chicago", appointments_enabled=True,
                      rejection_reasons=["duplicate", "contact_practice"],
                      terms_url="https://riverside.example/privacy", terms_version="v7")),
    ("location", dict(id=1, practice_id=1, name="Main clinic",
                      address="12 River Rd, Austin TX 73301")),
    ("provider", dict(id=1, practice_id=1, name="Dr. Ana Ruiz")),
    ("staff_user", dict(id=1, practice_id=1, email="ana@riverside.example",
                        password_hash=HASH, role="admin")),
    ("patient_account", dict(id=1, practice_id=1, username="mariad84",
                             password_hash=HASH, failed_logins=1)),
    ("security_answer", dict(account_id=1, position=1, question="first_pet",
                             answer_hash=HASH)),
    ("enrollment_request", dict(
        id=1, practice_id=1, account_id=1, status="approved", first_name="Maria",
        last_name="Delgado", street="4 Elm St", city="Austin", state="TX",
        zip_code="73301", phone="+15125550123", date_of_birth=date(1984, 5, 17),
        email="maria@example.org", insurance_carrier="Acme Health",
        insurance_member_id="XJ1234", subscriber_name="Maria Delgado",
        subscriber_relationship="self", terms_version="2026-11-01", terms_url="/terms",
        terms_accepted_at=T0, email_consent_at=T0, created_at=T0, decided_at=LATER,
        confirmation_sent_at=T0, email_confirmed_at=T0,
        resubmitted_at=T0 + timedelta(hours=2))),
    ("draft", dict(id="d" * 43, data={"personal": {"first_name": "Maria"}}, clean={},
                   done=["practice", "personal"], expires_at=LATER, submitted_at=T0,
                   request_id=1)),
    ("appointment_request", dict(id=1, enrollment_id=1, practice_id=1,
                                 status="approved", reason="Annual check-up",
                                 preferred_days="mon,tue", preferred_times="morning",
                                 provider_id=1, location_id=1)),
    ("outbox_message", dict(message_id="<1.portal@riverside.example>",
                            template="received", to_addr="maria@example.org",
                            subject="We received your request", body_text="Hello",
                            status="sent", attempts=1, sent_at=T0)),
    ("email_confirmation", dict(request_id=1, token_hash="a" * 64, expires_at=LATER,
                                used_at=T0)),
    ("used_challenge", dict(nonce="n" * 32, expires_at=LATER)),
    ("login_throttle", dict(key_hash="k" * 64, failures=6, throttled_until=LATER,
                            expires_at=LATER)),
    ("auth_session", dict(token_hash="b" * 64, kind="staff", user_id=1,
                          ip="192.0.2.1")),
    ("auth_session", dict(token_hash="c" * 64, kind="patient", user_id=1,
                          ip="192.0.2.2")),
    ("enrollment_decision", dict(request_id=1, staff_id=1, decision="approved",
                                 note="Insurance checked by phone")),
    ("appointment_decision", dict(appointment_id=1, staff_id=1, decision="approved",
                                  starts_at=LATER, timezone="America/Chicago",
                                  provider_id=1, provider_name="Dr. Ana Ruiz",
                                  location_id=1, location_name="Main clinic",
                                  location_address="12 River Rd, Austin TX 73301")),
    ("staff_recovery_code", dict(staff_id=1, code_hash="r" * 64, created_at=T0)),
    ("staff_token", dict(staff_id=1, purpose="invite", token_hash="e" * 64,
                         expires_at=LATER, used_at=T0)),
    ("recovery_token", dict(account_id=1, token_hash="f" * 64, questions=["first_pet"],
                            expires_at=LATER)),
    ("info_request", dict(request_id=1, staff_id=1, sections=["insurance"],
                          message="Please check your member ID.", answered_at=LATER)),
    ("request_name_word", dict(request_id=1, word_hash="w" * 64, practice_id=1,
                               created_at=T0)),
    ("staff_search", dict(id="s" * 22, auth_session_id=1, by="name", terms="maria",
                          created_at=T0)),
    ("request_revision", dict(request_id=1, info_request_id=1, section="personal",
                              values='{"last_name":"Delgado"}', created_at=T0)),
    ("audit_event", dict(practice_id=1, staff_id=1, action="needs_info", request_id=1,
                         detail="insurance", ip="192.0.2.1")),
    ("audit_event", dict(practice_id=1, staff_id=1, action="approved", request_id=1,
                         ip="192.0.2.1")),
]
# The patient sent the request back: an audit row without a staff member.
BY_THE_PATIENT = ("audit_event", dict(practice_id=1, staff_id=None, action="resubmitted",
                                      request_id=1, ip="192.0.2.2"))


def fill(app, url: str, rows: list[tuple[str, dict]]) -> Counter:
    """Insert through the models' tables (the schema at head; encrypted columns
    encrypted with the app's keys, which the `flask` runs share); the rows per table."""
    tables = db.metadata.tables
    missing = set(tables) - {name for name, _ in rows}
    assert not missing, f"give these tables a row in ROWS: {sorted(missing)}"
    engine = sa.create_engine(url)
    try:
        with app.app_context(), engine.begin() as conn:
            for name, row in rows:
                conn.execute(tables[name].insert(), [row])
    finally:
        engine.dispose()
    return Counter(name for name, _ in rows)


def state(conn) -> dict:
    """The revision, and the rows of every table (besides alembic_version)."""
    tables = set(sa.inspect(conn).get_table_names())
    version = None
    if "alembic_version" in tables:
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return {"version": version,
            "counts": {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                       for t in sorted(tables - {"alembic_version"})}}


def state_of(url: str) -> dict:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return state(conn)
    finally:
        engine.dispose()


# One revision at a time down to base, the state printed before each step.
STEP_DOWN = """
import json
from flask_migrate import downgrade
from app import create_app
from extensions import db
from tests.test_migrations import state
app = create_app()
with app.app_context():
    while True:
        with db.engine.connect() as conn:
            now = state(conn)
        print("STEP " + json.dumps(now), flush=True)
        if now["version"] is None:
            break
        downgrade(revision="-1")
"""


def step_down(url: str, ok: bool = True) -> tuple[list[dict], str]:
    result = _run([sys.executable, "-c", STEP_DOWN], url, ok)
    steps = [json.loads(line[5:]) for line in result.stdout.splitlines()
             if line.startswith("STEP ")]
    return steps, result.stderr


def revisions() -> list[str]:
    """Head first, down to the first revision."""
    return [r.revision for r in ScriptDirectory(str(ROOT / "migrations")).walk_revisions()]


def assert_rows_kept(steps: list[dict], inserted: Counter) -> None:
    for step in steps:
        for table, count in step["counts"].items():
            assert count == inserted[table], (step["version"], table, count)


def test_every_step_down_keeps_the_rows_of_the_tables_it_keeps(app, fresh_url):
    _flask("db", "upgrade", database_url=fresh_url)
    inserted = fill(app, fresh_url, ROWS)
    steps, _ = step_down(fresh_url)
    assert [s["version"] for s in steps] == revisions() + [None]
    assert set(steps[0]["counts"]) == set(db.metadata.tables)
    assert_rows_kept(steps, inserted)
    assert steps[-1]["counts"] == {}   # down to nothing


def test_0007_will_not_step_down_while_patients_are_in_the_audit(app, fresh_url):
    _flask("db", "upgrade", database_url=fresh_url)
    inserted = fill(app, fresh_url, ROWS + [BY_THE_PATIENT])
    steps, stderr = step_down(fresh_url, ok=False)
    assert [s["version"] for s in steps] == revisions()[:revisions().index("0007") + 1]
    assert_rows_kept(steps, inserted)
    assert "Error: Cannot downgrade below revision 0007: audit_event holds 1 row(s) " \
        "without a staff member" in stderr
    assert "Audit rows are never deleted" in stderr and "Traceback" not in stderr
    # Stopped before changing anything: still 0007, every row and table there.
    after = state_of(fresh_url)
    assert after == steps[-1] and after["counts"]["audit_event"] == 3
    assert {"info_request", "recovery_token"} <= set(after["counts"])
    # ... and the database is usable: up to head again.
    _flask("db", "upgrade", database_url=fresh_url)
    assert state_of(fresh_url)["version"] == revisions()[0]


# A queue page's audit row: more request ids than 0009's VARCHAR(40) holds.
LISTING = ("audit_event", dict(practice_id=1, staff_id=1, action="queue_viewed",
                               detail="status=pending page=1 ids=" + ",".join(
                                   str(n) for n in range(100, 150, 2)), ip="192.0.2.1"))


def test_0011_will_not_cut_the_request_ids_audit_rows_name(app, fresh_url):
    _flask("db", "upgrade", database_url=fresh_url)
    inserted = fill(app, fresh_url, ROWS + [LISTING])
    steps, stderr = step_down(fresh_url, ok=False)
    assert [s["version"] for s in steps] == revisions()[:revisions().index("0011") + 1]
    assert_rows_kept(steps, inserted)
    assert "Error: Cannot downgrade below revision 0011: audit_event holds 1 row(s) " \
        "whose detail is longer than 40 characters" in stderr
    assert "Traceback" not in stderr
    after = state_of(fresh_url)
    assert after == steps[-1] and after["version"] == "0011"
    engine = sa.create_engine(fresh_url)
    try:
        with engine.connect() as conn:
            kept = conn.execute(sa.text("SELECT detail FROM audit_event WHERE action = "
                                        "'queue_viewed'")).scalar_one()
    finally:
        engine.dispose()
    assert kept == LISTING[1]["detail"]
    _flask("db", "upgrade", database_url=fresh_url)
    assert state_of(fresh_url)["version"] == revisions()[0]
