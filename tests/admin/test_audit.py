"""The audit trail records who saw what: every page that shows patients' data writes ONE
row (the queue page with the ids it listed, a search with its kind and how many it
found but never the terms, a request's detail with the possible duplicates beside it,
the appointment queue), every decision too; nothing in it can be edited."""
import pytest
import sqlalchemy as sa

import audit
from admin.staff.models import StaffUser
from audit import AuditEvent, AuditIsAppendOnly
from database import write_transaction
from extensions import db
from tests.admin.appointment_helpers import make_appointment


def _events(app) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id))
                    .scalars())


def _after(app, before: int) -> list[AuditEvent]:
    return _events(app)[before:]


def test_views_and_decisions_are_recorded(app, make_staff, patient_request):
    req = patient_request(1)
    staff = make_staff()
    before = len(_events(app))
    staff.get(f"/admin/requests/{req.id}")
    staff.get(f"/admin/requests/{req.id}", htmx=True)
    staff.post(f"/admin/requests/{req.id}/reject", {"reason": "duplicate"}, htmx=True)
    events = _after(app, before)
    assert [(e.action, e.request_id, e.detail) for e in events] == [
        ("viewed", req.id, ""), ("viewed", req.id, ""), ("rejected", req.id, "duplicate")]
    assert all(e.ip == "127.0.0.1" and e.created_at and e.staff_id for e in events)


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_a_queue_page_is_one_row_naming_the_ids_it_listed(app, make_staff,
                                                          patient_request, monkeypatch,
                                                          htmx):
    ids = [patient_request(n).id for n in range(1, 6)]
    monkeypatch.setitem(app.config, "ADMIN_PAGE_SIZE", 2)
    staff = make_staff()
    before = len(_events(app))
    html = staff.get("/admin/?status=pending&page=2", htmx=htmx).get_data(as_text=True)
    (row,) = _after(app, before)
    assert row.action == "queue_viewed" and row.request_id is None and row.staff_id
    shown = audit.fields_of(row.detail)
    assert shown["status"] == "pending" and shown["page"] == "2"
    listed = audit.expand_ids(shown["ids"])
    assert len(listed) == 2 and set(listed) <= set(ids)
    assert all(f"/admin/requests/{n}" in html for n in listed)   # what the page showed
    # An empty page (nothing approved yet) shows no patient and writes nothing.
    staff.get("/admin/?status=approved", htmx=htmx)
    assert len(_after(app, before)) == 1


def test_a_long_page_of_ids_is_kept_whole(app, make_staff):
    """The detail column holds a whole page of ids, however long (a page size of 100
    with no two ids in a row: about 700 characters)."""
    make_staff(sign_in=False)
    ids = list(range(100_000, 100_200, 2))
    with app.app_context():
        staff = db.session.execute(sa.select(StaffUser)).scalar_one()
        row_id = audit.shown(staff, audit.QUEUE_VIEWED, status="pending", page=1,
                             ids=ids).id
        db.session.remove()
        kept = db.session.get(AuditEvent, row_id).detail
    assert len(kept) > 600 and audit.expand_ids(audit.fields_of(kept)["ids"]) == ids


@pytest.mark.parametrize("by,term", [("name", "Delg"), ("email", "patient1@"),
                                     ("username", "outbox-user"), ("dob", "03/09/1984")])
def test_a_search_records_its_kind_and_count_never_its_terms(app, make_staff,
                                                             patient_request, by, term):
    one, two = patient_request(1), patient_request(2)
    staff = make_staff()
    before = len(_events(app))
    resp = staff.post("/admin/search", {"by": by, "q": term}, htmx=True)
    assert resp.status_code == 200
    (row,) = _after(app, before)
    found = {"email": [one.id]}.get(by, [one.id, two.id])
    assert row.action == "searched" and row.request_id is None
    assert audit.fields_of(row.detail) == {"by": by, "found": str(len(found)),
                                           "ids": audit.compact_ids(found)}
    for piece in (term, term.lower(), "1984", "delg", "patient1", "outbox"):
        assert piece not in row.detail


def test_a_search_with_no_result_is_recorded_and_a_refused_one_is_not(app, make_staff,
                                                                      patient_request):
    patient_request(1)
    staff = make_staff()
    before = len(_events(app))
    assert staff.post("/admin/search", {"by": "name", "q": "Zzyzx"}, htmx=True) \
        .status_code == 200
    assert staff.post("/admin/search", {"by": "dob", "q": "not a date"}).status_code == 422
    assert [(e.action, e.detail) for e in _after(app, before)] == [
        ("searched", "by=name found=0")]


def test_a_detail_names_the_possible_duplicates_it_showed(app, make_staff,
                                                          patient_request):
    this = patient_request(1)
    alike = patient_request(2)          # the same name, date of birth and phone
    other = patient_request(3, personal={"last_name": "Okafor", "phone": "(312) 555-0142",
                                         "date_of_birth": "1990-11-02"})
    staff = make_staff()
    before = len(_events(app))
    html = staff.get(f"/admin/requests/{this.id}").get_data(as_text=True)
    shown = html[html.index('<section id="duplicates"'):]   # not the "skip to" link
    assert f"/admin/requests/{alike.id}\"" in shown
    assert f"/admin/requests/{other.id}\"" not in shown
    staff.get(f"/admin/requests/{other.id}")      # no look-alike: nothing more to name
    assert [(e.action, e.request_id, e.detail) for e in _after(app, before)] == [
        ("viewed", this.id, f"duplicates={alike.id}"), ("viewed", other.id, "")]


def test_the_appointment_queue_names_the_requests_it_listed(app, make_staff, practices):
    req, _ = make_appointment(app, practices, 1)
    staff = make_staff()
    before = len(_events(app))
    html = staff.get("/admin/appointments").get_data(as_text=True)
    assert "Delgado" in html
    (row,) = _after(app, before)
    assert row.action == "appts_viewed"
    assert audit.fields_of(row.detail) == {"status": "pending", "page": "1",
                                           "ids": str(req.id)}


def test_a_detail_of_another_practice_writes_nothing(app, make_staff, patient_request):
    theirs = patient_request(1, practice="hillcrest-internal")
    staff = make_staff()
    before = len(_events(app))
    assert staff.get(f"/admin/requests/{theirs.id}").status_code == 404
    assert _after(app, before) == []


def test_details_hold_codes_and_ids_only(app):
    assert audit.detail_of(status="pending", page=3, ids=[9, 3, 4, 5, 7]) == \
        "status=pending page=3 ids=3-5,7,9"
    assert audit.detail_of(duplicates=[]) == ""
    assert audit.expand_ids("3-5,7,9") == [3, 4, 5, 7, 9]
    assert audit.fields_of("personal,insurance") == {}
    for bad in [{"by": "Maria Delgado"}, {"by": "a=b"}, {"ids": ["Delgado"]},
                {"term": "Maria"}, {"found": 1.5}, {"found": True}]:
        with pytest.raises(ValueError):
            audit.detail_of(**bad)


def test_nothing_in_it_can_be_edited(app, make_staff, patient_request):
    req = patient_request(1)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    with app.app_context():
        event = db.session.execute(sa.select(AuditEvent).where(
            AuditEvent.action == "viewed")).scalar_one()
        with pytest.raises(AuditIsAppendOnly):
            with write_transaction():
                event.action = "approved"
        event = db.session.execute(sa.select(AuditEvent).where(
            AuditEvent.action == "viewed")).scalar_one()
        with pytest.raises(AuditIsAppendOnly):
            with write_transaction():
                db.session.delete(event)
    assert [e.action for e in _events(app)] == ["queue_viewed", "viewed"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "admin.audit_log":
            assert rule.methods - {"HEAD", "OPTIONS"} == {"GET"}
