"""The desk never loses its place: a search is kept with the staff session (the URL
holds only a random id; Back and reload show it again; no other session reads it),
"Back to the requests" returns to the list the request was opened from, and after a
decision the page offers the next pending request in that list's order."""
import re
from datetime import timedelta

import sqlalchemy as sa

from admin.requests.models import SavedSearch
from database import write_transaction
from enrollment.models import EnrollmentRequest, utcnow
from extensions import db


def _ages(app, *reqs):
    """Newest first in the order given (the queue's order)."""
    with app.app_context(), write_transaction():
        for i, req in enumerate(reqs):
            db.session.execute(sa.update(EnrollmentRequest).where(
                EnrollmentRequest.id == req.id).values(
                created_at=utcnow() - timedelta(hours=1 + i)))


def _search(staff, q, by="name"):
    resp = staff.post("/admin/search", {"by": by, "q": q})
    assert resp.status_code == 303
    return resp.headers["Location"]


def test_a_search_is_kept_with_the_session_never_in_the_url(app, make_staff,
                                                            patient_request):
    req = patient_request(1)
    staff = make_staff()
    htmx = staff.post("/admin/search", {"by": "name", "q": "delgado"}, htmx=True)
    pushed = htmx.headers["HX-Push-Url"]
    assert re.fullmatch(r"/admin/search/[A-Za-z0-9_-]{22}", pushed)
    assert f"/admin/requests/{req.id}" in htmx.get_data(as_text=True)
    where = _search(staff, "delgado")
    assert "delgado" not in where.lower()
    for _ in range(2):   # reload (and Back) show the same results
        page = staff.get(where)
        assert page.status_code == 200 and f"/admin/requests/{req.id}" in page.get_data(
            as_text=True)
    with app.app_context():   # stored encrypted
        raw = db.session.execute(sa.text("SELECT terms FROM staff_search")).scalars().all()
        assert raw and not any("delgado" in t for t in raw)
    other = make_staff("ben@riverside.example")
    refused = other.get(where)
    assert refused.status_code == 404 and "/admin/requests/" not in refused.get_data(
        as_text=True)
    assert "no longer available" in refused.get_data(as_text=True)


def test_a_search_older_than_a_day_is_gone_and_purged(app, make_staff, patient_request,
                                                      runner):
    patient_request(1)
    staff = make_staff()
    where = _search(staff, "delgado")
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(SavedSearch).values(
            created_at=utcnow() - timedelta(days=1, minutes=1)))
    assert staff.get(where).status_code == 404
    assert "staff searches over a day old deleted: 1" in runner.invoke(
        args=["purge"]).output


def test_back_to_the_requests_returns_to_the_list_it_came_from(app, make_staff,
                                                               patient_request, monkeypatch):
    monkeypatch.setitem(app.config, "ADMIN_PAGE_SIZE", 1)
    reqs = [patient_request(n) for n in range(3)]
    staff = make_staff()
    staff.get("/admin/?status=pending&page=2")
    page = staff.get(f"/admin/requests/{reqs[1].id}").get_data(as_text=True)
    assert 'id="back-link"' in page and 'href="/admin/?page=2"' in page
    where = _search(staff, "maria")
    staff.get(where)
    page = staff.get(f"/admin/requests/{reqs[1].id}").get_data(as_text=True)
    assert f'href="{where}" id="back-link"' in page


def test_after_a_decision_the_next_pending_request_in_the_queue_order(
        app, make_staff, patient_request):
    first, second, third = (patient_request(n) for n in range(3))
    _ages(app, first, second, third)
    staff = make_staff()
    staff.get("/admin/")
    staff.get(f"/admin/requests/{first.id}")
    html = staff.post(f"/admin/requests/{first.id}/approve", htmx=True).get_data(
        as_text=True)
    assert "Approved." in html
    assert f'href="/admin/requests/{second.id}#page-heading" id="next-request"' in html
    # Without JavaScript: redirect-after-post, and the page says the same.
    staff.get(f"/admin/requests/{second.id}")
    resp = staff.post(f"/admin/requests/{second.id}/reject", {"reason": "duplicate"})
    page = staff.get(resp.headers["Location"]).get_data(as_text=True)
    assert f'href="/admin/requests/{third.id}#page-heading" id="next-request"' in page
    # A pending request's own page offers no "next" before its decision.
    assert 'id="next-request"' not in staff.get(f"/admin/requests/{third.id}").get_data(
        as_text=True)
    html = staff.post(f"/admin/requests/{third.id}/approve", htmx=True).get_data(
        as_text=True)
    assert "No other pending request here." in html and 'id="next-request"' not in html


def test_the_next_pending_request_follows_the_search(app, make_staff, patient_request):
    found_1 = patient_request(1, personal={"last_name": "Quintero"})
    between = patient_request(2)
    found_2 = patient_request(3, personal={"last_name": "Quintero"})
    _ages(app, found_1, between, found_2)
    staff = make_staff()
    staff.get(_search(staff, "quintero"))
    staff.get(f"/admin/requests/{found_1.id}")
    html = staff.post(f"/admin/requests/{found_1.id}/approve", htmx=True).get_data(
        as_text=True)
    assert f'href="/admin/requests/{found_2.id}#page-heading" id="next-request"' in html
