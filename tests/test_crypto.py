"""crypto.py: values encrypted before they reach the database, keyed index hashes,
development keys generated once, rotation to the newest key."""
from datetime import date

import pytest
import sqlalchemy as sa

import crypto


@pytest.fixture
def keys():
    return crypto.Keys([crypto.new_data_key()], crypto.new_index_key())


def test_a_value_round_trips_and_is_not_stored_in_plain_text(keys):
    token = keys.encrypt("A12345678")
    assert "A12345678" not in token
    assert keys.decrypt(token) == "A12345678"
    assert keys.encrypt("A12345678") != token   # a fresh IV every time


def test_a_tampered_token_is_refused(keys):
    token = keys.encrypt("secret")
    forged = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(crypto.InvalidToken):
        keys.decrypt(forged)


def test_the_first_key_encrypts_and_every_key_decrypts():
    old_key, new_key, index = crypto.new_data_key(), crypto.new_data_key(), "i" * 32
    token = crypto.Keys([old_key], index).encrypt("1980-04-27")
    both = crypto.Keys([new_key, old_key], index)
    assert both.decrypt(token) == "1980-04-27"
    assert not both.is_current(token)
    rotated = both.rotate(token)
    assert both.is_current(rotated)
    assert crypto.Keys([new_key], index).decrypt(rotated) == "1980-04-27"
    with pytest.raises(crypto.InvalidToken):
        crypto.Keys([new_key], index).decrypt(token)


def test_bad_keys_are_refused_with_a_clear_message():
    with pytest.raises(crypto.KeyProblem, match="PORTAL_DATA_KEYS"):
        crypto.Keys(["not a key"], "i" * 32)
    with pytest.raises(crypto.KeyProblem, match="PORTAL_DATA_KEYS"):
        crypto.Keys([], "i" * 32)
    with pytest.raises(crypto.KeyProblem, match="PORTAL_INDEX_KEY"):
        crypto.Keys([crypto.new_data_key()], "short")


def test_the_index_hash_is_keyed_and_stable(keys):
    other = crypto.Keys([crypto.new_data_key()], crypto.new_index_key())
    assert keys.index("1980-04-27") == keys.index("1980-04-27")
    assert keys.index("1980-04-27") != other.index("1980-04-27")
    assert "1980" not in keys.index("1980-04-27")


def test_development_keys_are_made_once_and_kept_private(tmp_path):
    first = crypto.development_key(str(tmp_path), "data_key", crypto.new_data_key)
    again = crypto.development_key(str(tmp_path), "data_key", crypto.new_data_key)
    assert first == again
    assert (tmp_path / "data_key").stat().st_mode & 0o077 == 0


def test_column_types_store_tokens_and_give_back_values(app):
    from extensions import db
    table = sa.Table("crypto_probe", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("text", crypto.EncryptedText), sa.Column("doc", crypto.EncryptedJSON),
                     sa.Column("born", crypto.EncryptedDate))
    with app.app_context():
        with db.engine.begin() as conn:
            table.create(conn)
            try:
                conn.execute(table.insert(), [
                    {"id": 1, "text": "W123456789", "doc": {"phone": "+12175550142"},
                     "born": date(1980, 4, 27)},
                    {"id": 2, "text": "", "doc": None, "born": None}])
                raw = conn.execute(sa.text("SELECT text, doc, born FROM crypto_probe "
                                           "ORDER BY id")).all()
                typed = conn.execute(sa.select(table).order_by(table.c.id)).all()
            finally:
                table.drop(conn)
    stored = " ".join(str(v) for v in raw[0])
    for plain in ("W123456789", "2175550142", "1980"):
        assert plain not in stored
    assert typed[0].text == "W123456789"
    assert typed[0].doc == {"phone": "+12175550142"}
    assert typed[0].born == date(1980, 4, 27)
    assert tuple(raw[1]) == ("", None, None)
    assert (typed[1].text, typed[1].doc, typed[1].born) == ("", None, None)
