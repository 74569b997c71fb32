"""The audit trail: every detail view (the one GET that writes) and every decision,
with who, what, which request, when and from which address; admins read it by request
or by staff member; nothing in it can be edited from the app."""
import pytest
import sqlalchemy as sa

from audit import AuditEvent, AuditIsAppendOnly
from database import write_transaction
from extensions import db


def _events(app) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id))
                    .scalars())


def test_views_and_decisions_are_recorded(app, make_staff, patient_request):
    req = patient_request(1)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    staff.get(f"/admin/requests/{req.id}", htmx=True)
    staff.post(f"/admin/requests/{req.id}/reject", {"reason": "duplicate"}, htmx=True)
    events = _events(app)
    assert [(e.action, e.request_id, e.detail) for e in events] == [
        ("viewed", req.id, ""), ("viewed", req.id, ""), ("rejected", req.id, "duplicate")]
    assert all(e.ip == "127.0.0.1" and e.created_at and e.staff_id for e in events)


def test_the_queue_and_search_write_nothing(app, make_staff, patient_request):
    patient_request(1)
    staff = make_staff()
    staff.get("/admin/")
    staff.post("/admin/search", {"by": "name", "q": "maria"}, htmx=True)
    assert _events(app) == []


def test_admins_read_it_by_request_and_by_staff_member(app, make_staff, patient_request):
    one, two = patient_request(1), patient_request(2)
    boss = make_staff("boss@riverside.example", admin=True)
    ana = make_staff()
    ana.get(f"/admin/requests/{one.id}")
    boss.get(f"/admin/requests/{two.id}")
    whole = boss.get("/admin/audit").get_data(as_text=True)
    assert whole.count("Viewed the request") == 2 and "<caption>" in whole
    by_request = boss.get(f"/admin/audit?request={one.id}").get_data(as_text=True)
    assert f"#{one.id}<" in by_request and f"#{two.id}<" not in by_request
    with app.app_context():
        ana_id = db.session.execute(sa.select(AuditEvent.staff_id).where(
            AuditEvent.request_id == one.id)).scalar_one()
    by_staff = boss.get(f"/admin/audit?staff={ana_id}").get_data(as_text=True)
    assert by_staff.count("Viewed the request") == 1 and f"#{one.id}<" in by_staff
    assert boss.get("/admin/audit?staff=999999").status_code == 404
    assert boss.get("/admin/audit?request=999999").status_code == 404


def test_the_audit_pages_are_for_admins_only(app, make_staff):
    staff = make_staff()
    assert staff.get("/admin/audit").status_code == 403
    assert "Audit trail" not in staff.get("/admin/").get_data(as_text=True)


def test_nothing_in_it_can_be_edited(app, make_staff, patient_request):
    req = patient_request(1)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    with app.app_context():
        event = db.session.execute(sa.select(AuditEvent)).scalar_one()
        with pytest.raises(AuditIsAppendOnly):
            with write_transaction():
                event.action = "approved"
        event = db.session.execute(sa.select(AuditEvent)).scalar_one()
        with pytest.raises(AuditIsAppendOnly):
            with write_transaction():
                db.session.delete(event)
    assert [e.action for e in _events(app)] == ["viewed"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "admin.audit_log":
            assert rule.methods - {"HEAD", "OPTIONS"} == {"GET"}
