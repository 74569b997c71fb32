"""`flask --app app keys new|rotate|reindex`: a new data key put first, every encrypted
value re-encrypted with it in batches (a second run changes nothing, the old key can
then go); a new index key, every search hash recomputed (rotate never touches them)."""
import re
from datetime import date

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

import crypto
from enrollment.models import EnrollmentRequest
from extensions import db
from tests.upkeep.helpers import tokens

INDEX = crypto.new_index_key()


@pytest.fixture
def use_keys(app, monkeypatch):
    """Run the app with these keys from now on (as a restart with new settings would)."""
    def use(data: list, index: str = INDEX) -> crypto.Keys:
        keys = crypto.Keys(data, index)
        monkeypatch.setitem(app.extensions, crypto.EXTENSION, keys)
        return keys
    return use


def counts(output: str) -> dict:
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+): (\d+) row", output, re.M)}


def rows_holding_tokens(app) -> dict:
    """Per table, the rows with at least one encrypted value (not NULL, not empty)."""
    with app.app_context():
        return {table: len({row_id for row_id, _c, _t in found})
                for table, found in tokens(db.metadata).items() if found}


def test_new_prints_a_fresh_key_of_each_kind(runner):
    data = runner.invoke(args=["keys", "new"]).output.strip()
    Fernet(data.encode())   # a valid Fernet key
    assert runner.invoke(args=["keys", "new"]).output.strip() != data
    index = runner.invoke(args=["keys", "new", "--index"]).output.strip()
    crypto.Keys([data], index)   # long enough for PORTAL_INDEX_KEY


def test_rotate_reencrypts_every_value_with_the_new_key_and_resumes(
        app, runner, use_keys, make_staff, patient_request):
    old, new = crypto.new_data_key(), crypto.new_data_key()
    use_keys([old])
    req = patient_request(1)
    staff = make_staff()   # rejects it: a decision row with a note too
    staff.post(f"/admin/requests/{req.id}/reject",
               {"reason": "duplicate", "note": "Same member ID as #7"})
    patient_request(2)
    expected = rows_holding_tokens(app)
    assert expected["enrollment_request"] == 2 and expected["outbox_message"] >= 2
    assert expected["enrollment_decision"] == 1

    use_keys([new, old])   # step 1-3 of the README: the new key first, restarted
    first = runner.invoke(args=["keys", "rotate", "--batch-size", "1"])
    assert first.exit_code == 0, first.output
    assert {t: n for t, n in counts(first.output).items() if n} == expected
    assert f"in all: {sum(expected.values())} row(s)" in first.output
    again = runner.invoke(args=["keys", "rotate"])   # resumable: nothing left to do
    assert set(counts(again.output).values()) == {0}

    only_new = use_keys([new])   # the old key removed: everything still reads
    with app.app_context():
        for found in tokens(db.metadata).values():
            for _id, _column, token in found:
                assert only_new.is_current(token)
        back = db.session.get(EnrollmentRequest, req.id)
        assert back.date_of_birth.isoformat() == "1984-03-09"
    page = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert "Same member ID as #7" in page and "1984-03-09" in page


def test_rotate_stops_clearly_on_a_value_no_key_reads(app, runner, use_keys,
                                                      patient_request):
    use_keys([crypto.new_data_key()])
    patient_request(1)
    use_keys([crypto.new_data_key()])   # the old key removed too early
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 1
    assert "no key in PORTAL_DATA_KEYS decrypts it" in result.output
    assert "1984" not in result.output and "Traceback" not in result.output


def test_reindex_recomputes_the_search_hash_and_rotate_leaves_it(
        app, runner, use_keys, make_staff, patient_request):
    data = crypto.new_data_key()
    use_keys([data])
    req = patient_request(1)
    staff = make_staff()

    def found() -> bool:
        html = staff.post("/admin/search", {"by": "dob", "q": "1984-03-09"},
                          htmx=True).get_data(as_text=True)
        return f"/admin/requests/{req.id}\"" in html

    def stored_hash() -> str:
        with app.app_context():
            return db.session.execute(sa.select(EnrollmentRequest.dob_hash)).scalar_one()

    assert found()
    before = stored_hash()
    newer = crypto.new_data_key()
    use_keys([newer, data])
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    assert stored_hash() == before and found()   # rotation leaves the hashes alone

    use_keys([newer], index=crypto.new_index_key())
    assert not found()   # the hashes are the old key's until reindexed
    result = runner.invoke(args=["keys", "reindex", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    # The request's date-of-birth hash and its address's (two updates of its row), the
    # account's username hash, the staff member's address hash, and the request's name
    # words (written again: one request).
    assert counts(result.output) == {"enrollment_request": 2, "patient_account": 1,
                                     "staff_user": 1, "request_name_word": 1}
    assert found() and stored_hash() != before
    by_name = staff.post("/admin/search", {"by": "name", "q": "delgado maria"}, htmx=True)
    assert f"/admin/requests/{req.id}\"" in by_name.get_data(as_text=True)
    assert counts(runner.invoke(args=["keys", "reindex"]).output) == {
        "enrollment_request": 0, "patient_account": 0, "staff_user": 0,
        "request_name_word": 0}


def test_rotate_never_overwrites_a_value_saved_meanwhile(app, use_keys, practices,
                                                         patient_request, monkeypatch):
    """Between rotate's read and its write the patient corrects the date of birth (under
    the new key): the row keeps the patient's value and is not counted."""
    import upkeep.keys
    old, new = crypto.new_data_key(), crypto.new_data_key()
    use_keys([old])
    req = patient_request(1)
    keys = use_keys([new, old])
    real = upkeep.keys._rotated

    def with_a_save_between(keys_, table, names, row):
        rotated = real(keys_, table, names, row)
        if table.name == "enrollment_request":
            with db.engine.begin() as conn:   # another connection: the patient's save
                conn.execute(table.update().where(table.c.id == row[0])
                             .values(date_of_birth=date(1984, 3, 10)))
        return rotated
    monkeypatch.setattr(upkeep.keys, "_rotated", with_a_save_between)
    with app.app_context():
        table = db.metadata.tables["enrollment_request"]
        columns = crypto.encrypted_columns(db.metadata)["enrollment_request"]
        assert upkeep.keys.rotate_table(table, columns, 10) == 0
        saved = db.session.get(EnrollmentRequest, req.id)
        assert saved.date_of_birth == date(1984, 3, 10)
        raw = db.session.execute(sa.select(sa.type_coerce(
            table.c.date_of_birth, sa.Text))).scalar_one()
    assert keys.is_current(raw)   # the patient's save used the new key
