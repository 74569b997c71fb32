"""A confirmation link confirms exactly the address it was sent to.
Whenever a request's address changes (a "needs information" correction; a staff edit
through enrollment.confirmation.address_changed), every unused link stops working with
a clear page, and the request reads confirmed only if its address now was confirmed;
approval keeps requiring that.  Links are read from the emails a real SMTP server got."""
import re

import sqlalchemy as sa

from database import write_transaction
from enrollment import confirmation
from enrollment.models import EmailConfirmation, EnrollmentRequest
from extensions import db
from tests.account.conftest import deliver
from tests.account.test_corrections import ask
from tests.conftest import csrf_token

LINK = re.compile(r"http://localhost(/enroll/confirm/[A-Za-z0-9_-]+)")
NEW, OTHER = "maria.new@example.org", "maria.other@example.org"
CHANGED_PAGE = "This link is for an earlier email address"


def link_to(app, smtp, address: str) -> str:
    """The path of the newest confirmation link delivered to `address`."""
    found = [LINK.search(m.part("plain")) for m in deliver(app, smtp, address)]
    found = [m.group(1) for m in found if m]
    assert found, f"no link delivered to {address}"
    return found[-1]


class Opened:
    """A link opened in a browser (its page with the button, while it was valid)."""

    def __init__(self, app, path: str):
        self.browser, self.path = app.test_client(), path
        page = self.browser.get(path)
        assert page.status_code == 200, page.status_code
        self.token = csrf_token(page.get_data(as_text=True))

    def select(self):
        """The button, selected now: (a fresh GET of the link, the POST) answers."""
        again = self.browser.get(self.path)
        return again, self.browser.post(self.path, data={"csrf_token": self.token})


def use(app, path: str):
    """Open the link in a fresh browser and select the button: (GET, POST) answers."""
    return Opened(app, path).select()


def row(app, request_id: int) -> EnrollmentRequest:
    with app.app_context():
        return db.session.get(EnrollmentRequest, request_id, populate_existing=True)


def correct_email(user, address: str) -> None:
    fields = {"first_name": "Maria", "last_name": "Delgado", "street": "12 Elm Street",
              "city": "Springfield", "state": "IL", "zip_code": "62701",
              "phone": "(217) 555-0199", "date_of_birth": "1984-03-09", "email": address}
    assert user.post("/status/correct/personal", fields).status_code == 303


def test_a_link_to_the_old_address_is_refused_after_a_correction(
        app, patient, make_staff, smtp):
    user = patient(confirmed=False)
    old_page = Opened(app, link_to(app, smtp, user.email))   # left open meanwhile
    staff = make_staff()
    ask(staff, user.request_id, ("personal",))
    correct_email(user, NEW)
    assert row(app, user.request_id).email == NEW

    page, used = old_page.select()
    for resp in (page, used):
        html = resp.get_data(as_text=True)
        assert resp.status_code == 410 and CHANGED_PAGE in html
        assert "has changed since this link was sent" in html
    assert row(app, user.request_id).email_confirmed is False
    with app.app_context():   # and it was not spent: it simply confirms nothing
        assert db.session.execute(sa.select(EmailConfirmation.used_at)).scalars().all() \
            == [None]

    assert user.post("/status/resubmit").status_code == 303   # a link to the new one
    page, used = use(app, link_to(app, smtp, NEW))
    assert used.status_code == 200 and "is confirmed" in used.get_data(as_text=True)
    assert row(app, user.request_id).email_confirmed is True
    staff.get(f"/admin/requests/{user.request_id}")
    assert staff.post(f"/admin/requests/{user.request_id}/approve").status_code in (200, 303)
    assert row(app, user.request_id).status == "approved"


def test_a_confirmed_address_that_changes_is_unconfirmed_and_approval_waits(
        app, patient, make_staff, smtp):
    user = patient(confirmed=False)
    assert use(app, link_to(app, smtp, user.email))[1].status_code == 200
    assert row(app, user.request_id).email_confirmed is True
    staff = make_staff()
    ask(staff, user.request_id, ("personal",))
    correct_email(user, NEW)
    req = row(app, user.request_id)
    assert req.email_confirmed is False and req.email_confirmed_at is None
    assert "is not confirmed yet" in user.get("/status").get_data(as_text=True)
    assert user.post("/status/resubmit").status_code == 303

    staff.get(f"/admin/requests/{user.request_id}")
    refused = staff.post(f"/admin/requests/{user.request_id}/approve")
    assert refused.status_code == 409
    assert "not confirmed their email address" in refused.get_data(as_text=True)
    assert row(app, user.request_id).status == "pending"
    queue = staff.get("/admin/").get_data(as_text=True)
    assert f'id="request-{user.request_id}"' in queue and "Not confirmed" in queue
    assert use(app, link_to(app, smtp, NEW))[1].status_code == 200
    staff.get(f"/admin/requests/{user.request_id}")
    assert staff.post(f"/admin/requests/{user.request_id}/approve").status_code in (200, 303)
    assert row(app, user.request_id).status == "approved"


def test_going_back_to_a_confirmed_address_needs_a_new_confirmation(
        app, patient, make_staff, smtp):
    """A -> B -> A: A was confirmed once, but the change in between voided that, and a
    link sent to A before the change stays refused."""
    user = patient(confirmed=False)
    first = link_to(app, smtp, user.email)
    assert use(app, first)[1].status_code == 200
    with app.app_context(), write_transaction():   # an unused link to A, sent again
        confirmation.start(db.session.get(EnrollmentRequest, user.request_id), resent=True)
    spare = Opened(app, link_to(app, smtp, user.email))
    ask(make_staff(), user.request_id, ("personal",))
    correct_email(user, OTHER)
    correct_email(user, user.email)
    req = row(app, user.request_id)
    assert req.email == user.email and req.email_confirmed is False
    page, used = spare.select()
    assert used.status_code == 410 and CHANGED_PAGE in used.get_data(as_text=True)
    assert app.test_client().get(first).status_code == 410   # used: it did its job
    assert row(app, user.request_id).email_confirmed is False


def test_a_staff_edit_through_address_changed_voids_every_link(app, patient, smtp):
    """The one function a staff "correct the email" feature calls, in its transaction."""
    user = patient(confirmed=False)
    opened = Opened(app, link_to(app, smtp, user.email))
    with app.app_context(), write_transaction():
        req = db.session.get(EnrollmentRequest, user.request_id)
        req.email = NEW
        confirmation.address_changed(req)
    page, used = opened.select()
    assert page.status_code == used.status_code == 410
    assert CHANGED_PAGE in used.get_data(as_text=True)
    req = row(app, user.request_id)
    assert req.email_confirmed is False and req.email_hash is not None


def test_an_address_set_without_address_changed_is_still_not_confirmed(app, patient, smtp):
    """Defence in depth: the keyed hash follows every ORM write of the address, so a
    path that forgets address_changed still cannot keep an old confirmation or link."""
    user = patient(confirmed=False)
    assert use(app, link_to(app, smtp, user.email))[1].status_code == 200
    with app.app_context(), write_transaction():   # an unused link to the old address
        confirmation.start(db.session.get(EnrollmentRequest, user.request_id), resent=True)
    spare = Opened(app, link_to(app, smtp, user.email))
    with app.app_context(), write_transaction():
        db.session.get(EnrollmentRequest, user.request_id).email = NEW
    req = row(app, user.request_id)
    assert req.email_confirmed is False
    assert spare.select()[1].status_code == 410
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(
            EnrollmentRequest).where(EnrollmentRequest.email_confirmed)).scalar_one() == 0
    with app.app_context(), write_transaction():
        confirmation.start(db.session.get(EnrollmentRequest, user.request_id), resent=True)
    assert use(app, link_to(app, smtp, NEW))[1].status_code == 200
    assert row(app, user.request_id).email_confirmed is True


def test_each_link_row_holds_the_hash_of_the_address_it_went_to(app, patient, smtp):
    import crypto
    user = patient(confirmed=False)
    with app.app_context():
        [bound] = db.session.execute(sa.select(EmailConfirmation.email_hash)).scalars()
        assert bound == crypto.name_hash(user.email) and user.email not in bound
