"""The queue: own practice, status filter, newest first, paginated; search by POST only,
by each key; two staff deciding at once produce exactly one decision."""
import re
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from admin.requests import decisions
from admin.requests.models import Decision
from admin.staff.models import StaffUser
from database import write_transaction
from enrollment.models import EnrollmentRequest, utcnow
from extensions import db
from outbox import OutboxMessage
from tests.admin.conftest import request_of


def test_status_filter_and_newest_first(app, make_staff, patient_request):
    first, second, third = (patient_request(n) for n in (1, 2, 3))
    with app.app_context(), write_transaction():
        for i, req in enumerate((first, second, third)):
            db.session.execute(sa.update(EnrollmentRequest).where(
                EnrollmentRequest.id == req.id).values(
                created_at=utcnow() - timedelta(hours=10 - i)))
    staff = make_staff()
    staff.get(f"/admin/requests/{second.id}")
    staff.post(f"/admin/requests/{second.id}/approve")
    pending = staff.get("/admin/?status=pending").get_data(as_text=True)
    assert pending.index(f"/admin/requests/{third.id}") < pending.index(
        f"/admin/requests/{first.id}")
    assert f"/admin/requests/{second.id}\"" not in pending
    approved = staff.get("/admin/?status=approved").get_data(as_text=True)
    assert f"/admin/requests/{second.id}\"" in approved and "(1 in all)" in approved
    assert "(0 in all)" in staff.get("/admin/?status=rejected").get_data(as_text=True)
    assert staff.get("/admin/?status=bogus").status_code == 200   # falls back to pending


def test_pagination(app, make_staff, patient_request, monkeypatch):
    monkeypatch.setitem(app.config, "ADMIN_PAGE_SIZE", 2)
    ids = [patient_request(n).id for n in range(5)]
    staff = make_staff()
    pages = [staff.get(f"/admin/?page={n}").get_data(as_text=True) for n in (1, 2, 3)]
    seen = [[i for i in ids if f"/admin/requests/{i}\"" in page] for page in pages]
    assert [len(s) for s in seen] == [2, 2, 1]
    assert sorted(sum(seen, [])) == sorted(ids)
    assert "page 1 of 3 (5 in all)" in pages[0] and 'rel="next"' in pages[0]
    assert 'rel="prev"' in pages[2] and 'rel="next"' not in pages[2]
    assert "page 3 of 3" in staff.get("/admin/?page=99").get_data(as_text=True)


@pytest.mark.parametrize("by,q,hit", [
    ("name", "mar", True), ("name", "DELG", True), ("name", "elgado", False),
    ("email", "patient1@", True), ("email", "example", False),
    ("username", "OUTBOX-USER1", True), ("username", "user1", False),
    ("dob", "1984-03-09", True), ("dob", "03/09/1984", True), ("dob", "1984-03-10", False),
])
def test_search_by_each_key(app, make_staff, patient_request, by, q, hit):
    req = patient_request(1)
    staff = make_staff()
    resp = staff.post("/admin/search", {"by": by, "q": q}, htmx=True)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert (f"/admin/requests/{req.id}\"" in html) is hit
    assert "<html" not in html   # a fragment for htmx


def test_search_without_javascript_is_a_whole_page(app, make_staff, patient_request):
    req = patient_request(1)
    staff = make_staff()
    resp = staff.post("/admin/search", {"by": "name", "q": "maria"})
    assert resp.status_code == 303   # to an address holding only a random id
    where = resp.headers["Location"]
    assert re.fullmatch(r"/admin/search/[A-Za-z0-9_-]{22}", where)
    html = staff.get(where).get_data(as_text=True)
    assert "<html" in html and f"/admin/requests/{req.id}" in html
    assert 'value="maria"' in html   # the terms kept with the session, in the form


def test_search_is_never_by_get_and_checks_its_input(app, make_staff, patient_request):
    patient_request(1)
    staff = make_staff()
    assert staff.get("/admin/search?by=name&q=maria").status_code == 405
    page = staff.get("/admin/?by=name&q=zzz").get_data(as_text=True)
    assert "Search results" not in page
    bad = staff.post("/admin/search", {"by": "dob", "q": "March 9"}, htmx=True)
    assert bad.status_code == 422 and "Enter a date of birth" in bad.get_data(as_text=True)
    assert staff.post("/admin/search", {"by": "name", "q": ""}, htmx=True).status_code == 422
    wildcard = staff.post("/admin/search", {"by": "name", "q": "%"}, htmx=True)
    assert "/admin/requests/" not in wildcard.get_data(as_text=True)


def test_the_second_decision_sees_the_first(app, make_staff, patient_request):
    req = patient_request(1)
    ana = make_staff()
    ben = make_staff("ben@riverside.example")
    ana.get(f"/admin/requests/{req.id}")
    ben.get(f"/admin/requests/{req.id}")
    assert ana.post(f"/admin/requests/{req.id}/approve", htmx=True).status_code == 200
    late = ben.post(f"/admin/requests/{req.id}/reject", {"reason": "duplicate"}, htmx=True)
    html = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "This request was already decided" in html
    assert "Approved" in html and "ana@riverside.example" in html
    assert request_of(app, "patient1@example.org").status == "approved"


def _race(app, request_id: int, staff_ids: list) -> list:
    barrier = threading.Barrier(len(staff_ids))
    results = [None] * len(staff_ids)

    def decide(i: int, staff_id: int) -> None:
        with app.test_request_context(), app.app_context():
            staff = db.session.get(StaffUser, staff_id)
            barrier.wait()
            if i % 2:
                results[i] = decisions.reject(staff, request_id, "duplicate").result
            else:
                results[i] = decisions.approve(staff, request_id).result
            db.session.remove()

    threads = [threading.Thread(target=decide, args=(i, s)) for i, s in enumerate(staff_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_staff_deciding_at_once_make_exactly_one_decision(app, make_staff,
                                                              patient_request):
    req = patient_request(1)
    make_staff(sign_in=False)
    make_staff("ben@riverside.example", sign_in=False)
    with app.app_context():
        staff_ids = list(db.session.execute(sa.select(StaffUser.id)).scalars())
    results = _race(app, req.id, staff_ids * 2)
    assert sorted(results) == ["done", "lost", "lost", "lost"]
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Decision)).scalar() == 1
        decided = db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.template.in_(
                                         ["approved", "rejected"]))).scalar()
        assert decided == 1


def test_the_pending_count_is_in_the_navigation(app, make_staff, patient_request):
    for n in range(3):
        patient_request(n)
    staff = make_staff()
    assert "(3 pending)" in staff.get("/admin/").get_data(as_text=True)
    req = request_of(app, "patient0@example.org")
    resp = staff.post(f"/admin/requests/{req.id}/reject", {"reason": "duplicate"}, htmx=True)
    assert 'data-hx-swap-oob="true">(2 pending)' in resp.get_data(as_text=True)


def test_dates_of_birth_are_shown_as_dates(app, make_staff, patient_request):
    patient_request(1)
    staff = make_staff()
    assert date(1984, 3, 9).isoformat() in staff.get("/admin/").get_data(as_text=True)


def test_approve_from_the_queue_swaps_the_row_and_the_count(app, make_staff,
                                                            patient_request):
    req = patient_request(1)
    waiting = patient_request(2, confirmed=False)
    staff = make_staff()
    queue = staff.get("/admin/").get_data(as_text=True)
    assert 'data-hx-target="closest tr"' in queue and "Waits for the email confirmation" in queue
    resp = staff.post(f"/admin/requests/{req.id}/approve", {"view": "row"}, htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and html.lstrip().startswith(f'<tr id="request-{req.id}"')
    assert "Approved" in html and 'data-hx-swap-oob="true">(1 pending)' in html
    again = staff.post(f"/admin/requests/{req.id}/approve", {"view": "row"}, htmx=True)
    assert again.status_code == 409 and "already decided" in again.get_data(as_text=True)
    refused = staff.post(f"/admin/requests/{waiting.id}/approve", {"view": "row"}, htmx=True)
    assert refused.status_code == 409
    plain = staff.post(f"/admin/requests/{waiting.id}/approve", {"view": "row"})
    assert plain.status_code == 303 and plain.headers["Location"] == "/admin/"
