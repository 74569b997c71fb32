"""The first step's list of practices (id and name of every active one), kept in each
server process for PRACTICE_LIST_SECONDS (default 5; 0: read for every request).

It is the same for every patient and every language (names are the practices' own), and
holds nothing about a patient.  A copy is dropped:

* in this process, as soon as any statement writes the practice table (through the ORM,
  a bulk UPDATE or plain SQL, on any engine): the statement is seen on its way to the
  database, and again when its transaction commits;
* on every other server, when its copy expires: at most PRACTICE_LIST_SECONDS after
  the change.  A practice closed meanwhile can still be chosen there for those seconds;
  the wizard then sends the patient back with a notice (Step.stale), as it does for a
  practice closed after it was chosen.
"""
import re
import time

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from extensions import db

from .models import Practice

EXTENSION = "practice_list"
ROWS = "practice_rows"
WRITES_PRACTICE = re.compile(r'^\s*(insert\s+into|update|delete\s+from)\s+"?practice"?[\s(]',
                             re.IGNORECASE)
_generation = 0   # bumped by every write of the practice table in this process


def clock() -> float:
    return time.monotonic()


def _bump() -> None:
    global _generation
    _generation += 1


@event.listens_for(Engine, "before_cursor_execute")
def _seen(conn, cursor, statement, parameters, context, executemany):
    if WRITES_PRACTICE.match(statement):
        conn.info["practice_written"] = True
        _bump()


@event.listens_for(Engine, "commit")
def _committed(conn):
    if conn.info.pop("practice_written", False):
        _bump()


@event.listens_for(Engine, "rollback")
def _rolled_back(conn):
    if conn.info.pop("practice_written", False):
        _bump()


def _query() -> list:
    rows = db.session.execute(sa.select(Practice.id, Practice.name)
                              .where(Practice.active).order_by(Practice.name)).all()
    return [(str(r.id), r.name) for r in rows]


def kept_seconds() -> int:
    return current_app.config["PRACTICE_LIST_SECONDS"]


def _kept() -> tuple:
    """(generation, read at, choices), read again when this process changed the table
    or the copy expired."""
    kept = current_app.extensions.get(EXTENSION)
    now = clock()
    if kept is None or kept[0] != _generation or now - kept[1] >= kept_seconds():
        generation = _generation
        kept = (generation, now, tuple(_query()))
        current_app.extensions[EXTENSION] = kept
    return kept


def active_choices() -> list:
    """[(id as text, name)] of the active practices, by name."""
    if kept_seconds() <= 0:
        return _query()
    return list(_kept()[2])


def stamp() -> tuple | None:
    """Names the list as kept now: it changes whenever the list is read again (a page
    cached with the list is cached with its stamp).  None when nothing is kept."""
    if kept_seconds() <= 0:
        return None
    generation, read_at, _ = _kept()
    return generation, read_at


def practice(practice_id: int) -> Practice | None:
    """The practice a draft names (a step's page shows its name, its stale check asks
    whether it is still open, the review its terms), its columns kept and dropped as the
    list is, then put into this request's session without a SELECT: one statement fewer
    for every step a patient saves.  Its providers and locations still load from the
    database when asked for.  A practice, never a patient's data."""
    if kept_seconds() <= 0:
        return db.session.get(Practice, practice_id)
    in_session = db.session.identity_map.get(identity_key(Practice, practice_id))
    if in_session is not None:
        return in_session
    rows = current_app.extensions.setdefault(ROWS, {})
    kept = rows.get(practice_id)
    now = clock()
    if kept is None or kept[0] != _generation or now - kept[1] >= kept_seconds():
        generation = _generation
        row = db.session.execute(sa.select(*Practice.__table__.columns)
                                 .where(Practice.id == practice_id)).mappings().first()
        kept = (generation, now, dict(row) if row is not None else None)
        rows[practice_id] = kept
    if kept[2] is None:
        return None
    found = Practice(**{k: (list(v) if isinstance(v, list) else v) for k, v in kept[2].items()})
    make_transient_to_detached(found)
    db.session.add(found)
    return found
