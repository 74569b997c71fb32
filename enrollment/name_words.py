"""Names found the way people type them: accents, case, apostrophes, hyphens and spaces
do not matter ("Zoe" finds Zoë, "dangelo" finds D'Angelo, "nunez obrien" finds
Núñez-O'Brien, "lopez" finds García López).

Each name is folded in Python (`fold`: accents off, case folded, a few letters
spelled out) and cut into words (`name_words`); the staff search folds what was typed
the same way (`query_words`) and asks for requests holding every word.  The words are
stored only as keyed hashes (crypto.index_hash), one row each in `request_name_word`,
beside the request's practice and date so the newest matches come from one index.
`flask --app app keys reindex` recomputes them (a new PORTAL_INDEX_KEY).

Kept in step with the names: every ORM flush of a request (submission, fixtures) by a
session listener; the bulk UPDATEs (corrections, retention) call `refresh` / `forget`."""
import re
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

import crypto
from extensions import db

APOSTROPHES = "'’ʼ‘`´"
# Letters NFKD does not take apart: written as a person would type them on a US keyboard.
SPELLED = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae",
                         "œ": "oe", "ı": "i", "ß": "ss", "ħ": "h", "ŀ": "l"})
SEPARATORS = re.compile(rf"[^\w{APOSTROPHES}]+|_")
APOSTROPHE = re.compile(f"[{APOSTROPHES}]")
NAME_COLUMNS = ("first_name", "middle_name", "last_name")


def fold(text: str | None) -> str:
    """'Núñez-O’Brien' -> 'nunez-o’brien': no accents, case folded."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(SPELLED)


def _tokens(text: str | None) -> list[str]:
    return [t for t in SEPARATORS.split(fold(text)) if APOSTROPHE.sub("", t)]


def name_words(*names: str | None) -> set[str]:
    """Every word a name may be searched by: each word without its apostrophes
    ("dangelo"), the parts around an apostrophe ("d", "angelo"), and a name of several
    words written as one ("vanderberg", "nunezobrien")."""
    words = set()
    for name in names:
        tokens = _tokens(name)
        for token in tokens:
            parts = [p for p in APOSTROPHE.split(token) if p]
            words.add("".join(parts))
            if len(parts) > 1:
                words.update(parts)
        if len(tokens) > 1:
            words.add("".join(APOSTROPHE.sub("", t) for t in tokens))
    return words


def query_words(text: str | None) -> list[str]:
    """What was typed, folded into words (apostrophes dropped), in order, once each."""
    seen = []
    for token in _tokens(text):
        word = APOSTROPHE.sub("", token)
        if word not in seen:
            seen.append(word)
    return seen


class RequestNameWord(db.Model):
    """The keyed hash of one folded word of a request's names (never the word)."""
    __tablename__ = "request_name_word"
    __table_args__ = (
        # The search: this practice's requests with this word, newest first, from the
        # index alone.
        sa.Index("ix_name_word_search", "practice_id", "word_hash", "created_at",
                 "request_id"),
    )
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment_request.id", ondelete="CASCADE"), primary_key=True)
    word_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"))
    created_at: Mapped[datetime]


def rows_for(request_id, practice_id, created_at, *names) -> list[dict]:
    return [{"request_id": request_id, "practice_id": practice_id, "created_at": created_at,
             "word_hash": crypto.index_hash(word)} for word in sorted(name_words(*names))]


def _write(conn, request_id, practice_id, created_at, names) -> None:
    table = RequestNameWord.__table__
    conn.execute(sa.delete(table).where(table.c.request_id == request_id))
    rows = rows_for(request_id, practice_id, created_at, *names)
    if rows:
        conn.execute(sa.insert(table), rows)


def refresh(ids) -> None:
    """Inside the caller's transaction: the words of requests `ids` from their names now."""
    from .models import EnrollmentRequest as R
    found = db.session.execute(sa.select(
        R.id, R.practice_id, R.created_at, R.first_name, R.middle_name, R.last_name)
        .where(R.id.in_(list(ids)))).all()
    for row in found:
        _write(db.session.connection(), row[0], row[1], row[2], row[3:])


def forget(ids) -> None:
    """Inside the caller's transaction: requests `ids` no longer have names (purged)."""
    table = RequestNameWord.__table__
    db.session.execute(sa.delete(table).where(table.c.request_id.in_(list(ids))))


def reindex(batch_size: int = 500) -> int:
    """Every request's words recomputed (after PORTAL_INDEX_KEY changed), a batch of
    requests per transaction; only requests whose stored hashes differ are written, so
    a second run changes nothing.  Returns the requests written."""
    from database import write_transaction

    from .models import EnrollmentRequest as R
    table, written, last = RequestNameWord.__table__, 0, 0
    while True:
        batch = db.session.execute(sa.select(
            R.id, R.practice_id, R.created_at, R.first_name, R.middle_name, R.last_name)
            .where(R.id > last).order_by(R.id).limit(batch_size)).all()
        if not batch:
            db.session.commit()
            return written
        stored = {}
        for request_id, word_hash in db.session.execute(
                sa.select(table.c.request_id, table.c.word_hash)
                .where(table.c.request_id.in_([row[0] for row in batch]))):
            stored.setdefault(request_id, set()).add(word_hash)
        db.session.commit()
        stale = [row for row in batch if stored.get(row[0], set()) != {
            crypto.index_hash(w) for w in name_words(*row[3:])}]
        if stale:
            with write_transaction():
                for row in stale:
                    _write(db.session.connection(), row[0], row[1], row[2], row[3:])
            written += len(stale)
        last = batch[-1][0]


@sa.event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    """A request added or renamed through the ORM gets its words in the same flush."""
    from .models import EnrollmentRequest
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, EnrollmentRequest) or obj.id is None:
            continue
        state = sa.inspect(obj)
        if obj in session.new or any(state.attrs[c].history.has_changes()
                                     for c in NAME_COLUMNS + ("practice_id",)):
            _write(session.connection(), obj.id, obj.practice_id, obj.created_at,
                   [getattr(obj, c) for c in NAME_COLUMNS])
