"""crypto.reindex_names: after PORTAL_INDEX_KEY changes, the keyed hashes of usernames
and addresses are recomputed, and their copies move with them: a confirmed address
stays confirmed, a link to the address a request has now still works, a link to an
earlier address stays refused, and recovery finds accounts by the new hashes.  What
`flask keys reindex` has to run besides the plain index columns."""
import sqlalchemy as sa

import crypto
from admin.staff.models import StaffUser
from database import write_transaction
from enrollment import confirmation
from enrollment.models import EmailConfirmation, EnrollmentRequest, PatientAccount
from extensions import db


def matches_for(typed: str) -> list:
    """The accounts the recovery job finds for what was typed (with the keys now)."""
    from account.recovery_jobs import matches
    return [account for account, _ in matches(crypto.name_hash(typed))]


def _rekey(app, monkeypatch) -> None:
    old = app.extensions[crypto.EXTENSION]
    monkeypatch.setitem(app.extensions, crypto.EXTENSION, crypto.Keys(
        [f.strip() for f in app.config["PORTAL_DATA_KEYS"]], crypto.new_index_key()))
    assert app.extensions[crypto.EXTENSION].index_key != old.index_key


def test_reindex_moves_hashes_and_their_copies(app, patient, make_staff, monkeypatch):
    confirmed = patient(0, sign_in=False)          # confirmed (its current address)
    changed = patient(1, sign_in=False, confirmed=False)
    make_staff("sam@riverside.example", sign_in=False)
    with app.app_context(), write_transaction():
        confirmation.start(db.session.get(EnrollmentRequest, confirmed.request_id),
                           resent=True)           # an unused link to a confirmed address
        req = db.session.get(EnrollmentRequest, changed.request_id)
        req.email = "moved@example.org"
        confirmation.address_changed(req)          # its first link: refused from now on
    _rekey(app, monkeypatch)
    with app.app_context():
        assert matches_for(confirmed.username) == []   # stale: found by nothing
        done = crypto.reindex_names(db.metadata, db.session, batch_size=1)
        assert done == {"enrollment_request": 2, "patient_account": 2, "staff_user": 1}
        assert crypto.reindex_names(db.metadata, db.session) == {
            "enrollment_request": 0, "patient_account": 0, "staff_user": 0}
        rows = {r.id: r for r in db.session.execute(sa.select(EnrollmentRequest)).scalars()}
        assert rows[confirmed.request_id].email_confirmed is True
        assert rows[changed.request_id].email_confirmed is False
        for r in rows.values():
            assert r.email_hash == crypto.name_hash(r.email)
        links = db.session.execute(sa.select(EmailConfirmation.request_id,
                                             EmailConfirmation.email_hash)).all()
        bound = {(rid, h == rows[rid].email_hash) for rid, h in links}
        assert bound == {(confirmed.request_id, True), (changed.request_id, False)}
        for account in db.session.execute(sa.select(PatientAccount)).scalars():
            assert account.username_hash == crypto.name_hash(account.username)
        staff = db.session.execute(sa.select(StaffUser)).scalar_one()
        assert staff.email_hash == crypto.name_hash(staff.email)
        assert [a.username for a in matches_for(confirmed.username)] == [confirmed.username]
