"""What the requests' pages read: the queue, the search, one request, its decision,
the pending count.  Everything is scoped to one practice: another practice's rows are
simply not found."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

import crypto
from enrollment import name_words
from enrollment.codes import PENDING
from enrollment.models import EnrollmentRequest, PatientAccount
from extensions import db

from ..core import Page, page_bounds
from .models import Decision

SEARCH_LIMIT = 50
R = EnrollmentRequest
W = name_words.RequestNameWord


def pending_count(practice_id: int) -> int:
    return _count(R.practice_id == practice_id, R.status == PENDING)


UPDATED = "updated"   # a filter, not a status: pending requests the patient sent back


def _ids(where, order, offset: int, limit: int) -> list[int]:
    if limit <= 0:
        return []
    return list(db.session.execute(sa.select(R.id).where(*where).order_by(*order)
                                   .offset(offset).limit(limit)).scalars())


def _count(*where) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(R).where(*where)) \
        .scalar_one()


def _segments(practice_id: int, status: str) -> list:
    """The queue of `status` as (where, order) segments, one after the other: pending
    requests the patient sent back come first (the latest sent back first), then the
    rest, newest first.  Each segment is read in order from one index: the sent-back
    ones from ix_request_updated (practice, status, resubmitted_at, created_at, id), the
    rest from ix_request_fresh (practice, status, created_at, id; resubmitted_at NULL),
    any other status from ix_request_queue."""
    base = (R.practice_id == practice_id, R.status == PENDING)
    updated = ((*base, R.resubmitted_at.is_not(None)),
               (R.resubmitted_at.desc(), R.id.desc()))
    if status == UPDATED:
        return [updated]
    if status == PENDING:
        return [updated, ((*base, R.resubmitted_at.is_(None)),
                          (R.created_at.desc(), R.id.desc()))]
    return [((R.practice_id == practice_id, R.status == status),
             (R.created_at.desc(), R.id.desc()))]


def queue(practice_id: int, status: str, number: int, size: int) -> Page:
    """One page of the queue.  The page's ids come from the indexes alone (a deep page
    skips index entries, not table rows), then only those rows are read."""
    segments = _segments(practice_id, status)
    counts = [_count(*where) for where, _ in segments]
    pages, number = page_bounds(sum(counts), number, size)
    offset, wanted, ids = (number - 1) * size, size, []
    for (where, order), count in zip(segments, counts):
        if offset >= count:
            offset -= count
            continue
        found = _ids(where, order, offset, wanted)
        ids += found
        wanted -= len(found)
        offset = 0
    rows = {r.id: r for r in db.session.execute(sa.select(R).where(R.id.in_(ids))).scalars()}
    return Page([rows[i] for i in ids if i in rows], number, pages, sum(counts))


def pending_after(practice_id: int, req: EnrollmentRequest | None) -> int | None:
    """The pending request after `req` in the pending queue's order (updated ones first,
    then newest first), or the first one when `req` is None; its id, or None."""
    (updated, u_order), (rest, r_order) = _segments(practice_id, PENDING)
    later = []
    if req is not None and req.resubmitted_at is not None:
        later.append(((*updated, R.id != req.id, sa.or_(
            R.resubmitted_at < req.resubmitted_at,
            sa.and_(R.resubmitted_at == req.resubmitted_at, R.id < req.id))), u_order))
        later.append((rest, r_order))
    elif req is not None:
        later.append(((*rest, R.id != req.id, sa.or_(
            R.created_at < req.created_at,
            sa.and_(R.created_at == req.created_at, R.id < req.id))), r_order))
    else:
        later += [(updated, u_order), (rest, r_order)]
    for where, order in later:
        found = _ids(where, order, 0, 1)
        if found:
            return found[0]
    return None


def _starts_with(expr, prefix: str):
    """`expr` starts with `prefix` (both lower-cased), in a form the index serves:
    LIKE 'p%' on PostgreSQL (text_pattern_ops), a range on SQLite (binary order)."""
    if db.engine.dialect.name == "postgresql":
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return expr.like(escaped + "%", escape="\\")
    return sa.and_(expr >= prefix, expr < prefix + "\U0010ffff")


def _newest(ids: sa.Select) -> list:
    """The rows of `ids` (a query of R.id, R.created_at), newest first, at most
    SEARCH_LIMIT: the 50 ids come from the indexes alone (they end with created_at,
    id), then only those 50 rows are read, however many match."""
    found = ids.subquery()
    newest = (sa.select(found.c.id).order_by(found.c.created_at.desc(), found.c.id.desc())
              .limit(SEARCH_LIMIT))
    return list(db.session.execute(
        sa.select(R).where(R.id.in_(newest))
        .order_by(R.created_at.desc(), R.id.desc())).scalars())


def _with_words(practice_id: int, words: list[str]):
    """(id, created_at) of requests whose names hold every word (folded, by its keyed
    hash): the longest word walks ix_name_word_search, the others are looked up by the
    table's primary key (request_id, word_hash)."""
    hashes = [crypto.index_hash(w) for w in sorted(words, key=len, reverse=True)]
    first = sa.orm.aliased(W)
    query = sa.select(first.request_id.label("id"), first.created_at).where(
        first.practice_id == practice_id, first.word_hash == hashes[0])
    for other in hashes[1:]:
        also = sa.orm.aliased(W)
        query = query.where(sa.exists().where(also.request_id == first.request_id,
                                              also.word_hash == other))
    return query


def _by_name(practice_id: int, typed: str, prefix: str, matching):
    """Every word typed, folded (name_words.py), in the request's names, or the whole
    of it written as one word ("van der berg" finds Vanderberg); and first or last
    name from its start, as typed (lower-cased), so "gar" still finds Garcia.  One
    index each: a UNION, never an OR over two indexes."""
    words = name_words.query_words(typed)
    parts = [matching(_starts_with(sa.func.lower(R.first_name), prefix)),
             matching(_starts_with(sa.func.lower(R.last_name), prefix))]
    if words:
        parts.append(_with_words(practice_id, words))
    if len(words) > 1:
        parts.append(_with_words(practice_id, ["".join(words)]))
    return sa.union(*parts)


def search(practice_id: int, by: str, value) -> list:
    """by: name (every word, folded; or first or last name from the start), email,
    username (from the start), dob (exact date, by its keyed hash), phone (E.164)."""
    def matching(*where):
        return sa.select(R.id, R.created_at).where(R.practice_id == practice_id, *where)

    if by == "dob":   # the date is encrypted: its keyed hash (ix_request_dob_hash)
        if not isinstance(value, date):
            return []
        return _newest(matching(R.dob_hash == crypto.index_hash(value)))
    prefix = str(value or "").strip().lower()
    if not prefix:
        return []
    if by == "name":
        return _newest(_by_name(practice_id, str(value), prefix, matching))
    if by == "phone":   # the number as stored (E.164), ix_request_phone
        return _newest(matching(R.phone == value)) if value else []
    if by == "email":
        return _newest(matching(_starts_with(sa.func.lower(R.email), prefix)))
    if by == "username":   # ix_account_username_prefix
        return _newest(matching(
            PatientAccount.practice_id == practice_id,
            _starts_with(sa.func.lower(PatientAccount.username), prefix))
            .join(PatientAccount, PatientAccount.id == R.account_id))
    return []


def get_request(practice_id: int, request_id: int) -> EnrollmentRequest | None:
    """One request of this practice, or None (another practice's is not found)."""
    return db.session.execute(
        sa.select(R).where(R.id == request_id, R.practice_id == practice_id)
        .options(joinedload(R.account), joinedload(R.appointment))
        .execution_options(populate_existing=True)).unique().scalar()


def decision_of(request_id: int) -> Decision | None:
    return db.session.execute(sa.select(Decision).where(Decision.request_id == request_id)
                              .options(joinedload(Decision.staff))).scalar()
