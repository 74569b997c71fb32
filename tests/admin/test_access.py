"""Access control, walked over EVERY admin route in app.url_map: anonymous (a page or a
forged htmx request), and staff of practice A asking for anything of practice B (by
URL, by search, through an htmx endpoint, by posting B's ids to A's forms)."""
import pytest
import sqlalchemy as sa

from admin.appointments.models import AppointmentDecision
from admin.requests.models import Decision
from admin.staff.models import StaffUser
from audit import AuditEvent
from extensions import db
from tests.admin.appointment_helpers import add_appointment, appointment_id_of
from tests.admin.conftest import request_of
from tests.browser import HX
from tests.conftest import csrf_token

# Every admin endpoint and what the walk asks of it.  A new route must be added here.
PUBLIC = {"admin.login"}
SIGNED_OUT_POST = {"admin.logout"}          # signing out needs no session
# Practice administration: pages without an id show A's own practice; the links emailed
# to staff carry a token (here a made-up one) and belong to no signed-in practice.
OWN_PRACTICE = {"admin.settings_page", "admin.save_settings", "admin.add_item",
                "admin.staff_page", "admin.invite_staff"}
LINKS = {"admin.invitation", "admin.accept_invitation", "admin.reset_password",
         "admin.use_reset"}
PUBLIC = PUBLIC | {"admin.forgot"}
PRACTICE_ADMIN = OWN_PRACTICE | LINKS | {"admin.forgot", "admin.rename_item",
                                         "admin.remove_item", "admin.disable_staff",
                                         "admin.reset_staff", "admin.resend_invitation",
                                         "admin.reset_staff_mfa"}
# The second step of a sign-in: only for someone half signed in (tests/admin/test_mfa*);
# anyone else is sent to the sign-in page, like from any other page.
SECOND_FACTOR = {"admin.mfa_code", "admin.mfa_recovery", "admin.mfa_enroll",
                 "admin.mfa_codes", "admin.mfa_codes_saved"}
# Appointment requests: the queue shows A's own; the rest take B's ids.
APPOINTMENTS = {"admin.appointments_queue", "admin.approve_appointment",
                "admin.decline_appointment", "admin.approve_both"}


def admin_rules(app) -> list:
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]


def _calls(app, request_id: int, staff_id: int):
    """(method, path, data) for every admin rule, with B's ids where a rule takes one."""
    calls = []
    for rule in admin_rules(app):
        for args in _rule_args(app, rule, request_id, staff_id):
            path = rule.build(args, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                data = {"reason": "duplicate", "by": "name", "q": "maria"}
                calls.append((rule.endpoint, method, path, data))
    calls.append(("admin.audit_log", "GET", f"/admin/audit?request={request_id}", {}))
    calls.append(("admin.audit_log", "GET", f"/admin/audit?staff={staff_id}", {}))
    return calls


def _b_items(app) -> dict:
    """B's first provider and location (the demo seeds them)."""
    from enrollment.models import Location, Practice, Provider
    with app.app_context():
        b_id = db.session.execute(sa.select(Practice.id).where(
            Practice.slug == "hillcrest-internal")).scalar_one()
        return {kind: db.session.execute(sa.select(model.id).where(
            model.practice_id == b_id)).scalars().first()
            for kind, model in (("provider", Provider), ("location", Location))}


def _rule_args(app, rule, request_id: int, staff_id: int) -> list:
    """B's ids for what a rule takes; a rule with a kind once per kind."""
    args = {"request_id": request_id, "staff_id": staff_id, "token": "x" * 43,
            "search_id": "s" * 22}
    args = {key: value for key, value in args.items() if key in rule.arguments}
    if "appointment_id" in rule.arguments:
        args["appointment_id"] = appointment_id_of(app, request_id)
    if "kind" not in rule.arguments:
        return [args]
    items = _b_items(app)
    return [{**args, "kind": kind, **({"item_id": items[kind]} if "item_id" in
                                      rule.arguments else {})} for kind in items]


@pytest.fixture
def two_practices(app, make_staff, patient_request):
    b_request = patient_request(1, practice="hillcrest-internal")
    add_appointment(app, b_request.id)
    b_staff = make_staff("bo@hillcrest.example", practice="hillcrest-internal", admin=True)
    a_staff = make_staff("ana@riverside.example", admin=True)
    with app.app_context():
        b_staff_id = db.session.execute(sa.select(StaffUser.id).where(
            StaffUser.email == b_staff.email)).scalar_one()
    return a_staff, b_request, b_staff_id


def test_the_walk_covers_every_admin_route(app):
    endpoints = {r.endpoint for r in admin_rules(app)}
    assert endpoints == {"admin.login", "admin.logout", "admin.keepalive", "admin.queue",
                         "admin.search", "admin.search_results", "admin.audit_log",
                         "admin.detail",
                         "admin.approve", "admin.reject", "admin.reject_duplicate",
                         "admin.needs_info", "admin.resend_link", "admin.correct_email"} \
        | PRACTICE_ADMIN | APPOINTMENTS | SECOND_FACTOR


@pytest.mark.parametrize("htmx", [False, True])
def test_anonymous_gets_nothing_but_the_sign_in_page(app, client, two_practices, htmx):
    """With a valid CSRF token (from the sign-in page), so the guard itself is tested."""
    _, b_request, b_staff_id = two_practices
    headers = HX if htmx else {}
    for endpoint, method, path, data in _calls(app, b_request.id, b_staff_id):
        if method == "POST":   # signing out clears the session: a fresh token each time
            token = csrf_token(client.get("/admin/login").get_data(as_text=True))
            data = {**data, "csrf_token": token}
        resp = client.open(path, method=method, data=data, headers=headers)
        body = resp.get_data(as_text=True)
        assert "Delgado" not in body and "Maria" not in body, (method, path)
        if endpoint in PUBLIC:
            assert resp.status_code in (200, 422), (method, path)
        elif endpoint in LINKS:
            assert resp.status_code == 404, (method, path)      # no such link
        elif endpoint in SIGNED_OUT_POST:
            assert resp.status_code in (204, 303), (method, path)
        elif htmx:
            assert resp.status_code == 204, (method, path)
            assert resp.headers["HX-Redirect"] == "/admin/login", (method, path)
        else:
            assert resp.status_code == 303, (method, path)
            assert resp.headers["Location"] == "/admin/login", (method, path)


@pytest.mark.parametrize("htmx", [False, True])
def test_staff_of_practice_a_get_404_for_anything_of_practice_b(app, two_practices, htmx):
    a_staff, b_request, b_staff_id = two_practices
    walked = set()
    for endpoint, method, path, data in _calls(app, b_request.id, b_staff_id):
        if endpoint in PUBLIC | SIGNED_OUT_POST | LINKS | SECOND_FACTOR | {"admin.keepalive"}:
            continue
        resp = a_staff.post(path, data, htmx=htmx) if method == "POST" \
            else a_staff.get(path, htmx=htmx)
        body = resp.get_data(as_text=True)
        assert "Delgado" not in body and "12 Elm Street" not in body, (method, path)
        if endpoint == "admin.search" and not htmx:   # to the search kept with the session
            assert resp.status_code == 303, (method, path)
            resp = a_staff.get(resp.headers["Location"])
            body = resp.get_data(as_text=True)
            assert "Delgado" not in body and "/admin/requests/" not in body
        if endpoint in ("admin.queue", "admin.search", "admin.appointments_queue") \
                or path == "/admin/audit":
            assert resp.status_code == 200, (method, path)     # shows A's own, nothing of B
        elif endpoint in OWN_PRACTICE:
            assert resp.status_code in (200, 422), (method, path)   # A's own, unchanged
        elif endpoint == "admin.audit_log":   # B's number typed into A's filter form
            assert resp.status_code == 422, (method, path)
            assert "at this practice" in body or "from the list" in body, (method, path)
        else:
            assert resp.status_code == 404, (method, path, resp.status_code)
        walked.add(endpoint)
    assert walked == {"admin.queue", "admin.search", "admin.search_results",
                      "admin.audit_log", "admin.detail",
                      "admin.approve", "admin.reject", "admin.reject_duplicate",
                      "admin.needs_info", "admin.resend_link", "admin.correct_email"} | (
        PRACTICE_ADMIN - LINKS - PUBLIC) | APPOINTMENTS
    assert None not in _b_items(app).values()      # B's provider and location remain
    assert request_of(app, "patient1@example.org").status == "pending"
    with app.app_context():
        assert db.session.execute(sa.select(Decision)).first() is None
        assert db.session.execute(sa.select(AppointmentDecision)).first() is None
        assert db.session.execute(sa.select(AuditEvent).where(
            AuditEvent.request_id == b_request.id)).first() is None


def test_b_is_not_found_by_search_on_any_key(app, two_practices):
    a_staff, _, _ = two_practices
    for by, q in [("name", "maria"), ("name", "delgado"), ("email", "patient1"),
                  ("username", "outbox-user1"), ("dob", "1984-03-09")]:
        for htmx in (False, True):
            resp = a_staff.post("/admin/search", {"by": by, "q": q}, htmx=htmx)
            if not htmx:   # redirect-after-post, to the search kept with the session
                assert resp.status_code == 303
                resp = a_staff.get(resp.headers["Location"])
            html = resp.get_data(as_text=True)
            assert "/admin/requests/" not in html and "0 found" in html, (by, q)


def test_b_sees_its_own_request(app, two_practices, make_staff):
    _, b_request, _ = two_practices
    b2 = make_staff("cy@hillcrest.example", practice="hillcrest-internal")
    assert b2.get(f"/admin/requests/{b_request.id}").status_code == 200


def test_a_patient_kind_id_is_not_a_staff_member(app, two_practices):
    """Ids name their kind: a session saying "patient:N" never reaches the dashboard."""
    a_staff, b_request, _ = two_practices
    with a_staff.client.session_transaction() as session:
        staff_id = session["_user_id"].split(":")[1]
        session["_user_id"] = f"patient:{staff_id}"
    assert a_staff.get("/admin/").status_code == 303
    with a_staff.client.session_transaction() as session:
        session["_user_id"] = staff_id   # no kind at all
    assert a_staff.get("/admin/").status_code == 303
