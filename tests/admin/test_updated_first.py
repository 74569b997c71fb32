"""Requests the patient sent back come first: "Updated by the patient" is a filter of
its own, such requests sort to the top of the pending queue (and "next pending" follows
that order), and the request page shows what changed in each corrected section, old
beside new (tests/account/test_corrections.py)."""
from datetime import timedelta

import sqlalchemy as sa

from database import write_transaction
from enrollment.models import EnrollmentRequest, utcnow
from extensions import db


def _set(app, request_id, **values):
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(EnrollmentRequest).where(
            EnrollmentRequest.id == request_id).values(**values))


def test_updated_requests_come_first_and_have_a_filter(app, make_staff, patient_request,
                                                      monkeypatch):
    monkeypatch.setitem(app.config, "ADMIN_PAGE_SIZE", 2)
    old_back, newest, older, new_back = (patient_request(n) for n in range(4))
    now = utcnow()
    for i, req in enumerate((newest, older)):
        _set(app, req.id, created_at=now - timedelta(hours=1 + i))
    _set(app, old_back.id, created_at=now - timedelta(days=9),
         resubmitted_at=now - timedelta(hours=3))
    _set(app, new_back.id, created_at=now - timedelta(days=8),
         resubmitted_at=now - timedelta(hours=2))
    staff = make_staff()
    order = []
    for n in (1, 2):
        html = staff.get(f"/admin/?page={n}").get_data(as_text=True)
        order += sorted((html.index(f'id="request-{r.id}"'), r.id)
                        for r in (old_back, newest, older, new_back)
                        if f'id="request-{r.id}"' in html)
    assert [i for _, i in order] == [new_back.id, old_back.id, newest.id, older.id]
    tab = staff.get("/admin/?status=updated").get_data(as_text=True)
    assert "(2 in all)" in tab and 'aria-current="page">Updated by the patient' in tab
    assert f'id="request-{newest.id}"' not in tab
    # "Next pending request" in the same order: from the last updated to the newest plain.
    staff.get("/admin/")
    html = staff.post(f"/admin/requests/{old_back.id}/approve", htmx=True).get_data(
        as_text=True)
    assert f'href="/admin/requests/{newest.id}#page-heading" id="next-request"' in html
