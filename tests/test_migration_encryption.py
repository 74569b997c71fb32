"""Migration 0015 on an installation with data: the rows written before it (plain) are
encrypted by `flask db upgrade`, the date of birth gets its search hash, SQLite is told
to vacuum and `flask --app app vacuum` leaves no plain value in the file; the downgrade
gives the plain values back.  It stops, with a clear message, once a request's personal
data was deleted (retention).  SQLite always; PostgreSQL in the PostgreSQL pass."""
import json
import warnings
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from extensions import db
from tests.test_migrations import (ROWS, _flask, fresh_url,  # noqa: F401  (a fixture)
                                   revisions, state_of)

OLD = "0014"
PENDING_MAIL = ("outbox_message", dict(
    message_id="<2.portal@riverside.example>", template="received",
    to_addr="maria@example.org", subject="We received your request",
    body_text="Confirm your address: https://portal.example/enroll/confirm/tok123",
    body_html="<p>https://portal.example/enroll/confirm/tok123</p>", status="pending"))
# (table, column, the plain value written before 0015, as read back raw)
PLAIN = [("enrollment_request", "date_of_birth", "1984-05-17"),
         ("enrollment_request", "insurance_member_id", "XJ1234"),
         ("enrollment_request", "subscriber_name", "Maria Delgado"),
         ("appointment_request", "reason", "Annual check-up"),
         ("info_request", "message", "Please check your member ID."),
         ("enrollment_decision", "note", "Insurance checked by phone"),
         ("outbox_message", "body_text", PENDING_MAIL[1]["body_text"]),
         ("draft", "data", {"personal": {"first_name": "Maria"}})]


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url)


def fill_old(url: str) -> None:
    """ROWS and a waiting email, through the tables as they are at 0014 (reflected)."""
    engine = _engine(url)
    try:
        meta = sa.MetaData()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection",
                                    sa.exc.SAWarning)
            meta.reflect(engine)
        with engine.begin() as conn:
            for name, row in ROWS + [PENDING_MAIL]:
                if name in meta.tables:
                    table = meta.tables[name]
                    values = {**defaults(name), **row}
                    conn.execute(table.insert(), [{k: v for k, v in values.items()
                                                   if k in table.c}])
    finally:
        engine.dispose()


def defaults(name: str) -> dict:
    """The models' Python-side defaults of a table (a reflected table has none)."""
    values = {}
    for column in db.metadata.tables[name].columns:
        default = column.default
        if default is not None and default.is_scalar:
            values[column.name] = default.arg
        elif default is not None and default.is_callable:
            values[column.name] = default.arg(None)
    return values


def raw(url: str) -> dict:
    """{(table, column): the value as stored} for PLAIN's columns (the first row; the
    waiting email), and the request's "dob_hash" where the column exists."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            found = {}
            for table, column, _ in PLAIN:
                where = " WHERE status = 'pending'" if table == "outbox_message" else ""
                found[(table, column)] = conn.execute(sa.text(
                    f"SELECT {column} FROM {table}{where} ORDER BY id LIMIT 1")).scalar()
            columns = {c["name"] for c in sa.inspect(conn).get_columns("enrollment_request")}
            if "dob_hash" in columns:
                found["dob_hash"] = conn.execute(sa.text(
                    "SELECT dob_hash FROM enrollment_request")).scalar()
            return found
    finally:
        engine.dispose()


def plain(value):
    if isinstance(value, date):
        return value.isoformat()
    return json.loads(value) if isinstance(value, str) and value.startswith("{") else value


def test_0015_encrypts_existing_rows_and_its_downgrade_decrypts_them(app, fresh_url):  # noqa: F811
    keys = app.extensions["crypto"]   # the keys every `flask` run here shares
    _flask("db", "upgrade", OLD, database_url=fresh_url)
    fill_old(fresh_url)
    before = raw(fresh_url)
    assert {k: plain(v) for k, v in before.items() if k != "dob_hash"} == {
        (t, c): v for t, c, v in PLAIN}

    upgraded = _flask("db", "upgrade", database_url=fresh_url)
    stored = raw(fresh_url)
    for table, column, value in PLAIN:
        token = stored[(table, column)]
        assert "XJ1234" not in token and "1984" not in token and "confirm" not in token
        assert plain(keys.decrypt(token)) == value, (table, column)
    assert stored["dob_hash"] == keys.index("1984-05-17")
    if fresh_url.startswith("sqlite"):
        assert "flask --app app vacuum" in upgraded.stdout
        _flask("vacuum", database_url=fresh_url)
        path = Path(sa.engine.make_url(fresh_url).database)
        data = path.read_bytes() + (Path(f"{path}-wal").read_bytes()
                                    if Path(f"{path}-wal").exists() else b"")
        for value in ("1984-05-17", "XJ1234", "Annual check-up", "enroll/confirm/tok123",
                      "Insurance checked by phone"):
            assert value.encode() not in data, value
        assert b"Delgado" in data   # names stay plain: the scan does see plain text

    _flask("db", "downgrade", OLD, database_url=fresh_url)
    after = raw(fresh_url)
    assert "dob_hash" not in after   # the column went with 0015
    assert {k: plain(v) for k, v in after.items()} == {(t, c): v for t, c, v in PLAIN}


def test_0015_will_not_step_down_once_personal_data_was_deleted(app, tmp_path):
    url = "sqlite:///" + str(tmp_path / "purged.db")
    _flask("db", "upgrade", OLD, database_url=url)
    fill_old(url)
    _flask("db", "upgrade", database_url=url)
    engine = _engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE enrollment_request SET first_name = NULL, "
                             "date_of_birth = NULL, purged_at = CURRENT_TIMESTAMP"))
    engine.dispose()
    refused = _flask("db", "downgrade", OLD, database_url=url, ok=False)
    assert ("Cannot downgrade below revision 0015: 1 rejected request(s) had their "
            "personal data deleted") in refused.stderr
    assert "Traceback" not in refused.stderr
    assert "dob_hash" in raw(url)   # still at 0015: its step changed nothing
    # (the revisions after it step down first: they hold nothing 0015 needs)
    assert state_of(url)["version"] == "0015"
