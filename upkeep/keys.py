"""Key rotation and reindexing, over every table the models declare.

`rotate`: every value of every column of an Encrypted* type (found in the metadata, not
listed by hand) that is not under the current key (the first of PORTAL_DATA_KEYS) is
re-encrypted with it.  Batches by primary key, one short write transaction each, so a
run can be stopped and run again: values already under the current key are skipped,
and a second run changes nothing.  A row is written only if its tokens are still the
ones read (a patient's save in between wins; the next run picks that row up if needed).

`reindex`: every keyed hash column (crypto.index_of) recomputed from the value it
indexes, after PORTAL_INDEX_KEY changed.  `rotate` never touches them.
"""
from dataclasses import dataclass

import sqlalchemy as sa

import crypto
from enrollment import name_words
from database import write_transaction
from extensions import db


class UnreadableValue(RuntimeError):
    """A stored value that no key in PORTAL_DATA_KEYS decrypts."""


@dataclass
class Counted:
    table: str
    rows: int = 0


def _pk(table: sa.Table) -> sa.Column:
    (pk,) = table.primary_key.columns   # every model has a single-column primary key
    return pk


def _raw(column: sa.Column):
    """The column as stored (the token), not decrypted."""
    return sa.type_coerce(column, sa.Text)


def _batches(table: sa.Table, columns: list, batch_size: int):
    pk = _pk(table)
    last = None
    while True:
        query = sa.select(pk, *columns).order_by(pk).limit(batch_size)
        if last is not None:
            query = query.where(pk > last)
        rows = db.session.execute(query).all()
        db.session.commit()   # end the read: no transaction held between batches
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _rotated(keys: crypto.Keys, table: sa.Table, names: list, row) -> dict:
    """{column: new token} for the row's values not under the current key."""
    new = {}
    for name, token in zip(names, row[1:]):
        if token in (None, "") or keys.is_current(token):
            continue
        try:
            new[name] = keys.rotate(token)
        except crypto.InvalidToken:
            raise UnreadableValue(
                f"{table.name}.{name} of row {row[0]}: no key in PORTAL_DATA_KEYS decrypts "
                f"it (was an old key removed before `keys rotate` finished?)") from None
    return new


def rotate_table(table: sa.Table, names: list, batch_size: int) -> int:
    """Re-encrypt the table's `names` columns with the current key; rows changed."""
    keys, pk, changed = crypto.keys(), _pk(table), 0
    for rows in _batches(table, [_raw(table.c[n]).label(n) for n in names], batch_size):
        updates = [(row, new) for row in rows if (new := _rotated(keys, table, names, row))]
        if not updates:
            continue
        with write_transaction():
            for row, new in updates:
                old = dict(zip(names, row[1:]))
                same = [_raw(table.c[n]) == sa.literal(old[n], sa.Text) for n in new]
                done = db.session.execute(
                    sa.update(table).where(pk == row[0], *same)
                    .values({table.c[n]: sa.literal(v, sa.Text) for n, v in new.items()})
                    .execution_options(synchronize_session=False))
                changed += done.rowcount
    return changed


def rotate(batch_size: int = 500) -> list[Counted]:
    """Every encrypted column of every table; rows changed per table."""
    tables = db.metadata.tables
    return [Counted(name, rotate_table(tables[name], columns, batch_size))
            for name, columns in crypto.encrypted_columns(db.metadata).items()]


def reindex_table(table: sa.Table, pairs: list, batch_size: int) -> int:
    """Recompute the table's hash columns (hash, source) from their sources."""
    pk, changed = _pk(table), 0
    columns = [c for pair in pairs for c in (table.c[pair[0]], table.c[pair[1]])]
    for rows in _batches(table, columns, batch_size):
        updates = []
        for row in rows:
            values = {}
            for i, (hashed, _source) in enumerate(pairs):
                stored, source = row[1 + 2 * i], row[2 + 2 * i]
                if (fresh := crypto.index_hash(source)) != stored:
                    values[hashed] = fresh
            if values:
                updates.append((row[0], values))
        if updates:
            with write_transaction():
                for key, values in updates:
                    changed += db.session.execute(
                        sa.update(table).where(pk == key).values(values)
                        .execution_options(synchronize_session=False)).rowcount
    return changed


def reindex(batch_size: int = 500) -> list[Counted]:
    """The search hashes (`index_of`: the date of birth's) and the name hashes
    (`name_index_of`: addresses and usernames, normalised, with the copies they carry)."""
    tables = db.metadata.tables
    counted = [Counted(name, reindex_table(tables[name], pairs, batch_size))
               for name, pairs in crypto.index_columns(db.metadata).items()]
    by_table = {item.table: item for item in counted}
    for name, rows in crypto.reindex_names(db.metadata, db.session, batch_size).items():
        by_table.setdefault(name, Counted(name)).rows += rows
    words = name_words.RequestNameWord.__tablename__   # every request's, written again
    by_table.setdefault(words, Counted(words)).rows += name_words.reindex(batch_size)
    return list(by_table.values())
