"""Protected health information encrypted by the application before it reaches the
database, and keyed hashes that let an encrypted value still be searched for.

* `PORTAL_DATA_KEYS`: Fernet keys (AES-128-CBC with HMAC-SHA256, authenticated),
  comma-separated.  The first encrypts; every one decrypts, so a new key is put first
  and the old ones stay until `flask --app app keys rotate` has re-encrypted every value.
* `PORTAL_INDEX_KEY`: the HMAC-SHA256 key of the searchable hashes (a date of birth's,
  say).  It is separate, so rotating the data keys leaves every index valid.

Columns use the types below (`EncryptedText`, `EncryptedJSON`, `EncryptedDate`); their
values are encrypted when written and decrypted when read, so models and queries keep
their plain Python values.  Development generates both keys once into instance/ (like
the secret key); production refuses to start without them (config.py).
"""
import base64
import binascii
import hashlib
import hmac
import json
import secrets
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

EXTENSION = "crypto"


class KeyProblem(ValueError):
    """A configured key is not a usable key."""


class Keys:
    """The data keys (first encrypts, all decrypt) and the index key."""

    def __init__(self, data_keys: list[str], index_key: str):
        if not data_keys:
            raise KeyProblem("PORTAL_DATA_KEYS holds no key")
        try:
            self.fernets = [Fernet(k.strip().encode()) for k in data_keys]
        except (ValueError, binascii.Error) as exc:
            raise KeyProblem("PORTAL_DATA_KEYS: each key must be 32 url-safe base64 "
                            "bytes (Fernet.generate_key())") from exc
        self.multi = MultiFernet(self.fernets)
        raw = index_key.strip().encode()
        if len(raw) < 32:
            raise KeyProblem("PORTAL_INDEX_KEY must be at least 32 characters")
        self.index_key = raw

    def encrypt(self, text: str) -> str:
        return self.multi.encrypt(text.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self.multi.decrypt(token.encode("ascii")).decode()

    def is_current(self, token: str) -> bool:
        """Encrypted with the first (current) key?"""
        try:
            self.fernets[0].decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """The same value under the current key (its original time kept)."""
        return self.multi.rotate(token.encode("ascii")).decode("ascii")

    def index(self, value: str) -> str:
        return hmac.new(self.index_key, value.encode(), hashlib.sha256).hexdigest()


def keys() -> Keys:
    return current_app.extensions[EXTENSION]


def new_data_key() -> str:
    return Fernet.generate_key().decode("ascii")


def new_index_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def development_key(instance_path: str, name: str, make) -> str:
    """A key generated once into instance/<name> (mode 600) and read back after."""
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def init_app(app: Flask) -> None:
    cfg = app.config
    app.extensions[EXTENSION] = Keys(list(cfg["PORTAL_DATA_KEYS"]), cfg["PORTAL_INDEX_KEY"])


def index_hash(value: str | date | None) -> str | None:
    """The keyed hash stored beside an encrypted value to find it by equality."""
    if value is None or value == "":
        return None
    text = value.isoformat() if isinstance(value, date) else str(value)
    return keys().index(text)


def index_of(source: str) -> dict:
    """The `info` of a column that holds the index hash of another column of its table
    (`dob_hash` of `date_of_birth`): `flask --app app keys reindex` finds it by this."""
    return {"index_of": source}


def encrypted_columns(metadata: sa.MetaData) -> dict[str, list[str]]:
    """{table: its columns of an Encrypted* type}, every table that has some."""
    found = {}
    for table in metadata.sorted_tables:
        names = [c.name for c in table.columns if isinstance(c.type, EncryptedText)]
        if names:
            found[table.name] = names
    return found


def index_columns(metadata: sa.MetaData) -> dict[str, list[tuple[str, str]]]:
    """{table: [(hash column, the column it is the hash of)]}, every table that has some."""
    found = {}
    for table in metadata.sorted_tables:
        pairs = [(c.name, c.info["index_of"]) for c in table.columns if "index_of" in c.info]
        if pairs:
            found[table.name] = pairs
    return found


class EncryptedText(sa.types.TypeDecorator):
    """A str, stored as a Fernet token.  None and "" are stored as they are (an empty
    value says nothing), so optional fields cost nothing and stay NULL-able."""
    impl = sa.Text
    cache_ok = True

    def serialize(self, value):
        return str(value)

    def deserialize(self, text: str):
        return text

    def process_bind_param(self, value, dialect):
        if value is None or value == "":
            return value
        return keys().encrypt(self.serialize(value))

    def process_result_value(self, value, dialect):
        if value is None or value == "":
            return value
        return self.deserialize(keys().decrypt(value))


class EncryptedJSON(EncryptedText):
    """A JSON value (dict, list), encrypted as one token."""
    cache_ok = True

    def serialize(self, value):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    def deserialize(self, text: str):
        return json.loads(text)


class EncryptedDate(EncryptedText):
    """A datetime.date, encrypted in its ISO form."""
    cache_ok = True

    def serialize(self, value):
        return value.isoformat()

    def deserialize(self, text: str):
        return date.fromisoformat(text)


# --- keyed hashes of names and addresses (recovery, confirmation links) -----------------
# A username or an email address is found by the keyed hash of its normalized form, so
# the recovery job looks an account up by what was typed without the text ever being
# queued.  A column holding one is declared with `name_index_of(source)`; a column that
# holds a COPY of such a hash (the address a link was sent to, the address that was
# confirmed) is named in `carries` of the hash it copies: `reindex_names` moves every
# copy along with its source hash, and a copy of an older value stays refused.

NAME_INDEX = "name_index_of"


def normalized_name(value: str | None) -> str:
    """A username or an email address as it is compared: no surrounding space, lower case."""
    return (value or "").strip().lower()


def name_hash(value: str | None) -> str | None:
    """The keyed hash of a username or an email address, normalized; None for ''."""
    return index_hash(normalized_name(value))


def name_index_of(source: str, carries: tuple = ()) -> dict:
    """The `info` of a column holding `name_hash(<source column>)`.  `carries`:
    (table, key column, column) of columns holding copies of this hash, the key column
    naming this row (`("email_confirmation", "request_id", "email_hash")`)."""
    return {NAME_INDEX: source, "carries": tuple(carries)}


def name_index_columns(metadata: sa.MetaData) -> dict[str, list[sa.Column]]:
    """{table: its name-hash columns}, every table that has some."""
    found = {}
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if NAME_INDEX in c.info]
        if columns:
            found[table.name] = columns
    return found


def reindex_names(metadata: sa.MetaData, session, batch_size: int = 500) -> dict[str, int]:
    """After PORTAL_INDEX_KEY changed: every name-hash column recomputed from its source,
    and each copy it carries moved along when it equalled the old hash (else NULL: a
    link or a confirmation of an earlier address stays refused).  One transaction per
    batch; run again, it changes nothing.  {table: rows changed}."""
    from database import write_transaction
    changed = {}
    for name, columns in name_index_columns(metadata).items():
        table = metadata.tables[name]
        changed[name] = sum(_reindex_column(metadata, session, table, column, batch_size,
                                            write_transaction)
                            for column in columns)
    return changed


def _reindex_column(metadata, session, table, column, batch_size, write_transaction) -> int:
    (pk,) = table.primary_key.columns
    source = table.c[column.info[NAME_INDEX]]
    changed, last = 0, None
    while True:
        query = sa.select(pk, column, source).order_by(pk).limit(batch_size)
        rows = session.execute(query if last is None else query.where(pk > last)).all()
        session.commit()
        if not rows:
            return changed
        last = rows[-1][0]
        stale = [(key, old, name_hash(value)) for key, old, value in rows
                 if name_hash(value) != old]
        if not stale:
            continue
        with write_transaction():
            for key, old, new in stale:
                for other, key_name, copy in column.info["carries"]:
                    target = metadata.tables[other]
                    session.execute(sa.update(target).where(target.c[key_name] == key).values(
                        {copy: sa.case((target.c[copy] == old, new), else_=None)
                         if old is not None else None}))
                changed += session.execute(sa.update(table).where(pk == key).values(
                    {column.name: new})).rowcount
