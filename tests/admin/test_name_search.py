"""Names found the way people type them (enrollment/name_words.py): the folding, the
words stored only as keyed hashes, the staff search over them, phone numbers in any
format, and the words kept in step (corrections, retention, `keys reindex`)."""
import pytest
import sqlalchemy as sa

import crypto
from database import write_transaction
from enrollment import name_words
from enrollment.models import EnrollmentRequest, RequestRevision, utcnow
from enrollment.name_words import RequestNameWord, fold, name_words as words_of, query_words
from extensions import db

NAMES = {   # n: (first, last)
    1: ("Zoë", "Smith"), 2: ("Marco", "D'Angelo"), 3: ("Lucía", "García López"),
    4: ("Seán", "Núñez-O’Brien"), 5: ("Ana", "Martinez"), 6: ("Jo", "Van der Berg")}


def test_folding():
    assert fold("Núñez-O’Brien") == "nunez-o’brien"
    assert fold("ZOË") == "zoe" and fold("Øster") == "oster" and fold("Straße") == "strasse"
    assert words_of("D'Angelo") == {"dangelo", "d", "angelo"}
    assert words_of("García López") == {"garcia", "lopez", "garcialopez"}
    assert words_of("Núñez-O’Brien") == {"nunez", "obrien", "o", "brien", "nunezobrien"}
    assert words_of("", None) == set()
    assert query_words("  nunez  O'BRIEN nunez ") == ["nunez", "obrien"]
    assert query_words("%_'") == []


@pytest.fixture
def named(app, patient_request):
    return {n: patient_request(n, personal={"first_name": first, "last_name": last}).id
            for n, (first, last) in NAMES.items()}


@pytest.mark.parametrize("typed,found", [
    ("Zoe", {1}), ("zoë", {1}), ("dangelo", {2}), ("D'Angelo", {2}), ("angelo", {2}),
    ("Garcia", {3}), ("lopez", {3}), ("lucia garcia lopez", {3}),
    ("nunez obrien", {4}), ("NUNEZ-OBRIEN", {4}), ("Núñez O'Brien", {4}),
    ("Martínez", {5}), ("vanderberg", {6}), ("van der berg", {6}), ("jo berg", {6}),
    ("gar", {3}),            # first or last name from its start, as before
    ("zoe smith", {1}), ("zoe garcia", set()), ("berg van", {6}),
])
def test_search_forgives_the_way_names_are_typed(app, make_staff, named, typed, found):
    staff = make_staff()
    html = staff.post("/admin/search", {"by": "name", "q": typed}, htmx=True) \
        .get_data(as_text=True)
    shown = {n for n, rid in named.items() if f"/admin/requests/{rid}\"" in html}
    assert shown == found


def test_words_are_stored_only_as_keyed_hashes(app, named):
    with app.app_context():
        stored = set(db.session.execute(sa.select(RequestNameWord.word_hash).where(
            RequestNameWord.request_id == named[4])).scalars())
        assert stored == {crypto.index_hash(w) for w in words_of("Seán", "", "Núñez-O’Brien")}
        assert not any("nunez" in h or "brien" in h for h in stored)


@pytest.mark.parametrize("typed", ["(217) 555-0199", "217.555.0199", "+1 217 555 0199",
                                   "2175550199", "1-217-555-0199"])
def test_search_by_phone_in_any_format(app, make_staff, patient_request, typed):
    req = patient_request(1)
    other = patient_request(2, personal={"phone": "(217) 555-0100"})
    staff = make_staff()
    html = staff.post("/admin/search", {"by": "phone", "q": typed}, htmx=True) \
        .get_data(as_text=True)
    assert f"/admin/requests/{req.id}\"" in html
    assert f"/admin/requests/{other.id}\"" not in html


def test_a_phone_number_that_is_not_one_is_told(app, make_staff, patient_request):
    staff = make_staff()
    resp = staff.post("/admin/search", {"by": "phone", "q": "55"}, htmx=True)
    assert resp.status_code == 422
    assert "Enter a phone number with its area code" in resp.get_data(as_text=True)


def test_words_and_revisions_follow_a_purge_and_words_a_reindex(app, named, monkeypatch):
    with app.app_context():
        from enrollment import retention
        with write_transaction():
            db.session.execute(sa.update(EnrollmentRequest).where(
                EnrollmentRequest.id == named[1]).values(status="rejected"))
            db.session.add(RequestRevision(request_id=named[1], section="personal",
                                           values={"first_name": "Zoë"}))
        with write_transaction():
            retention.scrub([named[1]], utcnow())
        assert not db.session.execute(sa.select(RequestNameWord).where(
            RequestNameWord.request_id == named[1])).first()
        assert not db.session.execute(sa.select(RequestRevision)).first()
    # A new index key: every stored hash is stale until `keys reindex`.
    monkeypatch.setattr(app.extensions[crypto.EXTENSION], "index_key", b"k" * 40)
    with app.app_context():
        assert name_words.reindex(batch_size=2) == len(NAMES) - 1
        assert name_words.reindex(batch_size=2) == 0
        stored = set(db.session.execute(sa.select(RequestNameWord.word_hash).where(
            RequestNameWord.request_id == named[2])).scalars())
        assert stored == {crypto.index_hash(w) for w in words_of("Marco", "", "D'Angelo")}
