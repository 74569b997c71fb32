"""Possible duplicates on the detail: each match rule, field by field in words, never
across practices, in a fixed number of queries; reject as duplicate in one action (the
decision, audit and outbox rows), with JavaScript and without."""
import pytest
import sqlalchemy as sa

from admin.requests import duplicates
from admin.requests.models import Decision
from audit import AuditEvent
from enrollment.models import EnrollmentRequest, Practice
from extensions import db
from outbox import OutboxMessage
from tests.admin.conftest import confirm_email
from tests.outbox.conftest import enroll

# Everything different from the wizard's default patient (tests/wizard.py GOOD).
OTHER = {"first_name": "Tomas", "last_name": "Okafor", "date_of_birth": "1990-11-02",
         "phone": "(312) 555-0142", "street": "4 Oak Road", "line2": ""}


@pytest.fixture
def submit(app, practices):
    """submit(n, practice=..., **personal) -> the new request's id."""
    def make(n, practice="riverside-family", **personal):
        personal.setdefault("email", f"patient{n}@example.org")
        enroll(app, practices[practice], n, personal=personal)
        with app.app_context():
            request_id = db.session.execute(sa.select(sa.func.max(EnrollmentRequest.id))
                                            ).scalar_one()
        confirm_email(app, request_id)
        return request_id
    return make


def _section(html: str) -> str:
    start = html.index('id="duplicates"')
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize("rule,candidate,why,same,differ", [
    ("name and date of birth", {**OTHER, "last_name": "DELGADO", "date_of_birth": "1984-03-09"},
     "same last name and date of birth", ["Date of birth"], ["Email address", "Phone"]),
    ("email", {**OTHER, "email": "Patient1@EXAMPLE.org"},
     "same email address", ["Email address"], ["Name", "Date of birth", "Phone"]),
    ("phone", {**OTHER, "phone": "217.555.0199"},
     "same phone", ["Phone"], ["Name", "Date of birth", "Email address"]),
])
def test_each_rule_flags_the_candidate_field_by_field(app, make_staff, submit, rule,
                                                      candidate, why, same, differ):
    this = submit(1)
    other = submit(2, **candidate)
    submit(3, **OTHER)   # like none of them
    html = make_staff().get(f"/admin/requests/{this}").get_data(as_text=True)
    section = _section(html)
    assert "1 other request at this practice looks like this one." in section, rule
    assert f"/admin/requests/{other}\"" in section and why in section
    assert section.count('<table class="compare">') == 1
    for label in same:
        assert f'<th scope="row">{label}</th>' in section
        row = section.split(f'<th scope="row">{label}</th>')[1].split("</tr>")[0]
        assert row.endswith("<td>Matches</td>"), (label, row)
    for label in differ:
        row = section.split(f'<th scope="row">{label}</th>')[1].split("</tr>")[0]
        assert row.endswith("<td>Differs</td>"), (label, row)
    assert f"Reject this request as a duplicate of request #{other}" in section


def test_near_misses_are_not_flagged(app, make_staff, submit):
    this = submit(1)
    submit(2, **{**OTHER, "last_name": "Delgado"})                 # same name, other date
    submit(3, **{**OTHER, "date_of_birth": "1984-03-09"})          # same date, other name
    submit(4, **{**OTHER, "email": "patient1@example.com"})        # another address
    html = make_staff().get(f"/admin/requests/{this}").get_data(as_text=True)
    assert "No other request or account at this practice" in _section(html)


def test_another_practice_is_never_a_candidate(app, make_staff, submit):
    this = submit(1)
    elsewhere = submit(2, practice="hillcrest-internal", email="patient1@example.org")
    staff = make_staff()
    html = staff.get(f"/admin/requests/{this}").get_data(as_text=True)
    assert "No other request or account at this practice" in _section(html)
    assert f"/admin/requests/{elsewhere}\"" not in html
    # ... nor can it be named as the original, nor rejected from here.
    resp = staff.post(f"/admin/requests/{this}/reject-duplicate", {"of": elsewhere})
    assert resp.status_code == 404
    assert staff.post(f"/admin/requests/{elsewhere}/reject-duplicate",
                      {"of": this}).status_code == 404
    with app.app_context():
        statuses = db.session.execute(sa.select(EnrollmentRequest.status)).scalars().all()
        assert set(statuses) == {"pending"}
        assert db.session.execute(sa.select(sa.func.count()).select_from(Decision)
                                  ).scalar() == 0


def _rejected_once(app, request_id: int, other: int) -> None:
    with app.app_context():
        req = db.session.get(EnrollmentRequest, request_id)
        assert req.status == "rejected" and req.account_id is None   # username released
        decision = db.session.execute(sa.select(Decision)).scalar_one()
        assert decision.reason == "duplicate" and f"#{other}" in decision.note
        audit = db.session.execute(sa.select(AuditEvent).where(
            AuditEvent.action == "rejected")).scalar_one()
        assert audit.request_id == request_id and audit.detail == "duplicate"
        mail = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.template == "rejected")).scalar_one()
        assert mail.to_addr == req.email and mail.status == "pending"


def test_reject_as_duplicate_in_one_action_without_javascript(app, make_staff, submit):
    other = submit(1)
    this = submit(2)
    staff = make_staff()
    staff.get(f"/admin/requests/{this}")
    resp = staff.post(f"/admin/requests/{this}/reject-duplicate", {"of": other})
    assert resp.status_code == 303
    assert resp.headers["Location"] == f"/admin/requests/{this}?result=rejected"
    _rejected_once(app, this, other)
    page = staff.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Rejected." in page and "Reject this request as a duplicate" not in page
    again = staff.post(f"/admin/requests/{this}/reject-duplicate", {"of": other})
    assert again.status_code == 409 and "already decided" in again.get_data(as_text=True)
    _rejected_once(app, this, other)


def test_reject_as_duplicate_in_one_action_with_javascript(app, make_staff, submit):
    other = submit(1)
    this = submit(2)
    staff = make_staff()
    page = staff.get(f"/admin/requests/{this}").get_data(as_text=True)
    assert 'data-hx-post="/admin/requests/%d/reject-duplicate"' % this in page
    resp = staff.post(f"/admin/requests/{this}/reject-duplicate", {"of": other}, htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in html
    assert "Rejected." in html and 'data-hx-swap-oob="true">(1 pending)' in html
    assert 'id="duplicates"' in html and "Reject this request as a duplicate" not in html
    _rejected_once(app, this, other)


def test_reject_as_duplicate_needs_the_token_and_the_code(app, make_staff, submit):
    other = submit(1)
    this = submit(2)
    staff = make_staff()
    staff.get(f"/admin/requests/{this}")
    assert staff.post(f"/admin/requests/{this}/reject-duplicate", {"of": other},
                      token=False).status_code == 400
    assert staff.post(f"/admin/requests/{this}/reject-duplicate", {"of": this}
                      ).status_code == 404
    with app.app_context():
        db.session.execute(sa.update(Practice).where(Practice.slug == "riverside-family")
                           .values(rejection_reasons=["not_a_patient"]))
        db.session.commit()
    page = staff.get(f"/admin/requests/{this}").get_data(as_text=True)
    assert "Reject this request as a duplicate" not in page
    refused = staff.post(f"/admin/requests/{this}/reject-duplicate", {"of": other},
                         htmx=True)
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.get(EnrollmentRequest, this).status == "pending"


def test_candidates_cost_a_fixed_number_of_queries(app, submit):
    first = submit(1)
    for n in range(2, 6):
        submit(n)
    statements = []

    def count(*_args):
        statements.append(1)
    with app.test_request_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            req = db.session.get(EnrollmentRequest, first)
            assert req.account is not None   # loaded with it by the detail view
            statements.clear()
            found = duplicates.find(req)
            for c in found:
                assert c.lines and c.why
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(found) == 4 and len(statements) == 1
