"""SQLite as a serious embedded default, and one way to open a write transaction.

On SQLite: WAL, a busy timeout, foreign keys on, secure delete, and write transactions
begun with BEGIN IMMEDIATE (a deferred transaction that reads and then writes fails at
once with "database is locked" under a concurrent writer, whatever the timeout).  On PostgreSQL
the same calls are plain transactions.
"""
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from extensions import db


def init_database(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        _tune_sqlite(db.engine)


def _tune_sqlite(engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        # Deleted or replaced content is overwritten with zeros, whatever the build's
        # default (Debian's is on, others off): a purged or erased value does not live
        # on in the file's free space.
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def write_transaction():
    """One write transaction: ends any read transaction first, then BEGIN IMMEDIATE on
    SQLite.  Commits on success, rolls back on any error.  Mutate objects inside it."""
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
