"""'Resend invitation': the way out for an invitation that expired.  An admin sends a
new link from the staff page (with and without JavaScript); it goes through the outbox
to the real SMTP server on loopback, works once, and the old link stops working."""
import pytest
import sqlalchemy as sa

from admin.staff.models import StaffToken
from extensions import db
from tests.admin.test_staff_onboarding import (audit_actions, deliver,
                                               expire_links, landing, member, use_link)

LATE = "late@riverside.example"


@pytest.fixture
def admin(make_staff):
    return make_staff("ada@riverside.example", admin=True)


def _resend_form(page_html: str, staff_id: int) -> bool:
    return f'action="/admin/staff/{staff_id}/resend"' in page_html


@pytest.mark.parametrize("htmx", [False, True])
def test_an_expired_invitation_gets_a_new_working_link(app, smtp, practices, admin, htmx):
    admin.post("/admin/staff/invite", {"email": LATE, "role": "staff"})
    _, old_path = deliver(app, smtp, LATE)
    expire_links(app)
    assert use_link(app, old_path)[1].status_code == 410          # expired: says so
    late_id = member(app, LATE).id
    listing = admin.get("/admin/staff").get_data(as_text=True)
    assert _resend_form(listing, late_id) and "Resend invitation" in listing

    resp = admin.post(f"/admin/staff/{late_id}/resend", htmx=htmx)
    if htmx:
        assert resp.status_code == 200
        assert resp.headers["HX-Push-Url"] == "/admin/staff?done=resent"
        assert "Invitation sent again" in resp.get_data(as_text=True)
    else:
        assert resp.status_code == 303
        assert resp.headers["Location"] == "/admin/staff?done=resent"
        assert "Invitation sent again" in admin.get(resp.headers["Location"]).get_data(
            as_text=True)
    message, new_path = deliver(app, smtp, LATE)
    assert new_path.startswith("/admin/invite/") and new_path != old_path
    assert "Riverside Family Medicine" in message.message["Subject"]
    with app.app_context():   # one link: the expired one was replaced, not kept
        assert len(db.session.execute(sa.select(StaffToken)).all()) == 1

    person, page, joined = use_link(app, new_path, htmx=htmx)
    assert page.status_code == 200
    assert joined.status_code == (204 if htmx else 303)
    assert landing(joined, htmx) == "/admin/login/enroll"          # the phone first
    assert person.enroll().headers["Location"] == "/admin/"
    assert person.get("/admin/").status_code == 200                # signed in
    assert member(app, LATE).active is True
    assert use_link(app, old_path)[1].status_code == 404           # the old one: gone
    assert audit_actions(app)[-3:] == ["staff_invited", "invitation_resent", "joined"]
    listing = admin.get("/admin/staff").get_data(as_text=True)
    assert not _resend_form(listing, late_id)                      # joined: no button


def test_only_an_unused_invitation_is_sent_again(app, smtp, practices, admin, make_staff):
    sam = make_staff("sam@riverside.example", sign_in=False)
    sam_id = member(app, sam.email).id
    assert not _resend_form(admin.get("/admin/staff").get_data(as_text=True), sam_id)
    resp = admin.post(f"/admin/staff/{sam_id}/resend")
    assert resp.status_code == 409
    assert "has not been used" in resp.get_data(as_text=True)
    admin.post("/admin/staff/invite", {"email": LATE, "role": "staff"})
    late_id = member(app, LATE).id
    admin.post(f"/admin/staff/{late_id}/disable")
    assert admin.post(f"/admin/staff/{late_id}/resend").status_code == 409
    assert "invitation_resent" not in audit_actions(app)
    assert admin.post("/admin/staff/999999/resend").status_code == 404


def test_staff_who_are_not_admins_cannot_resend(app, smtp, practices, admin, make_staff):
    admin.post("/admin/staff/invite", {"email": LATE, "role": "staff"})
    deliver(app, smtp, LATE)
    sam = make_staff("sam@riverside.example")
    for htmx in (False, True):
        assert sam.post(f"/admin/staff/{member(app, LATE).id}/resend",
                        htmx=htmx).status_code == 403
    assert "invitation_resent" not in audit_actions(app)
    assert len(smtp.messages) == 1
