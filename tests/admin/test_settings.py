"""Practice administration: the settings page, providers and locations (role admin,
own practice only), each change audited and seen by the wizard; JS on and off."""
import pytest
import sqlalchemy as sa

from audit import AuditEvent
from enrollment.models import Location, Practice, Provider
from extensions import db
from tests.wizard import GOOD, Patient, read_page

RIVERSIDE = "riverside-family"


def practice(app, slug=RIVERSIDE) -> Practice:
    with app.app_context():
        return db.session.execute(sa.select(Practice).where(Practice.slug == slug)
                                  .execution_options(populate_existing=True)).scalar_one()


def actions(app) -> list:
    with app.app_context():
        return [(e.action, e.detail) for e in db.session.execute(
            sa.select(AuditEvent).order_by(AuditEvent.id)).scalars()]


def form_values(staff) -> dict:
    """What the settings form would send back as it is (a browser's view of it)."""
    page = read_page(staff.get("/admin/settings").get_data(as_text=True))
    values = {name: v[0] for name, v in page.values.items() if len(v) == 1}
    values["reasons"] = page.values.get("reasons", [])
    return {k: v for k, v in values.items() if not k.startswith(("provider-", "location-",
                                                                  "new-"))}


def save(staff, htmx=False, **changes):
    data = {**form_values(staff), **changes}
    for key in [k for k, v in data.items() if v is None]:   # an unticked checkbox
        del data[key]
    return staff.post("/admin/settings", data, htmx=htmx)


@pytest.fixture
def admin(make_staff):
    return make_staff("ada@riverside.example", admin=True)


def at_review(app, practices) -> Patient:
    patient = Patient(app.test_client())
    patient.complete_through("security", practices[RIVERSIDE])
    return patient


@pytest.mark.parametrize("htmx", [False, True])
def test_the_appointment_module_off_removes_the_button(app, practices, admin, htmx):
    patient = at_review(app, practices)
    assert "Request an appointment" in patient.get("/enroll/review").get_data(as_text=True)
    resp = save(admin, htmx=htmx, appointments_enabled=None)
    if htmx:
        assert resp.status_code == 200 and "Settings saved." in resp.get_data(as_text=True)
        assert resp.headers["HX-Push-Url"].startswith("/admin/settings")
        assert "<html" not in resp.get_data(as_text=True)
    else:
        assert resp.status_code == 303
        assert "Settings saved." in admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert practice(app).appointments_enabled is False
    assert "Request an appointment" not in patient.get("/enroll/review").get_data(as_text=True)
    assert actions(app)[-1] == ("settings_changed", "appointments_enabled")
    save(admin, appointments_enabled="y")
    assert practice(app).appointments_enabled is True


def test_name_address_phone_reply_to_timezone_notice_and_reasons(app, practices, admin):
    resp = save(admin, name="Riverside Family Health", street="1 New Road", city="Peoria",
                state="IL", zip_code="61602", phone="(309) 555-0100",
                reply_to="Desk@Riverside.example", timezone="America/Denver",
                notify_new_requests=None, reasons=["duplicate", "not_a_patient"])
    assert resp.status_code == 303
    p = practice(app)
    assert (p.name, p.street, p.city, p.zip_code, p.phone, p.reply_to, p.timezone) == (
        "Riverside Family Health", "1 New Road", "Peoria", "61602", "+13095550100",
        "desk@riverside.example", "America/Denver")
    assert p.notify_new_requests is False
    assert p.rejection_reasons == ["not_a_patient", "duplicate"]   # the fixed order
    assert sorted(actions(app)) == sorted(("settings_changed", name) for name in (
        "name", "street", "city", "zip_code", "phone", "reply_to", "timezone",
        "notify_new_requests", "rejection_reasons"))
    # The wizard shows the new name; the reject form offers only the chosen reasons.
    assert "Riverside Family Health" in Patient(app.test_client()).get(
        "/enroll/practice").get_data(as_text=True)
    settings_html = admin.get("/admin/settings").get_data(as_text=True)
    assert read_page(settings_html).values["reasons"] == ["not_a_patient", "duplicate"]


def test_saving_without_a_change_writes_no_audit_row(app, practices, admin):
    before = len(actions(app))
    resp = save(admin)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("done=unchanged")
    assert len(actions(app)) == before


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("changes, field", [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"timezone": "america/chicago"}, "timezone"),
    ({"phone": "12"}, "phone"),
    ({"reply_to": "not an address"}, "reply_to"),
    ({"name": "  "}, "name"),
    ({"reasons": []}, "reasons"),
    ({"zip_code": "ABCDE"}, "zip_code"),
])
def test_invalid_settings_answer_422_beside_the_field(app, practices, admin, changes,
                                                      field, htmx):
    before = practice(app)
    resp = save(admin, htmx=htmx, **changes)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert f'id="{field}-error"' in html and "There is a problem" in html
    after = practice(app)
    assert (after.timezone, after.phone, after.name) == (before.timezone, before.phone,
                                                         before.name)


@pytest.mark.parametrize("htmx", [False, True])
def test_a_new_provider_appears_in_the_appointment_form(app, practices, admin, htmx):
    resp = admin.post("/admin/settings/provider/add", {"new-provider-name": "Dr. Zoe Park"},
                      htmx=htmx)
    assert resp.status_code == (200 if htmx else 303)
    resp = admin.post("/admin/settings/location/add",
                      {"new-location-name": "North clinic",
                       "new-location-address": "9 North Street, Springfield, IL"}, htmx=htmx)
    assert resp.status_code == (200 if htmx else 303)
    patient = at_review(app, practices)
    resp = patient.step("review", GOOD["review"], action="appointment")
    html = patient.get("/enroll/appointment").get_data(as_text=True)
    assert "Dr. Zoe Park" in html and "North clinic" in html
    assert [a for a, _ in actions(app)][-2:] == ["provider_added", "location_added"]


def _item(app, model, name):
    with app.app_context():
        return db.session.execute(sa.select(model).where(model.name == name)).scalar_one()


@pytest.mark.parametrize("htmx", [False, True])
def test_rename_and_remove_a_provider_and_a_location(app, practices, admin, htmx):
    lee = _item(app, Provider, "Dr. Samuel Lee")
    resp = admin.post(f"/admin/settings/provider/{lee.id}",
                      {f"provider-{lee.id}-name": "Dr. Sam Lee"}, htmx=htmx)
    assert resp.status_code == (200 if htmx else 303)
    assert _item(app, Provider, "Dr. Sam Lee").id == lee.id
    resp = admin.post(f"/admin/settings/provider/{lee.id}", {f"provider-{lee.id}-name": ""},
                      htmx=htmx)
    assert resp.status_code == 422
    assert f'id="provider-{lee.id}-name-error"' in resp.get_data(as_text=True)
    main = _item(app, Location, "Main clinic")
    resp = admin.post(f"/admin/settings/location/{main.id}",
                      {f"location-{main.id}-name": "Main clinic",
                       f"location-{main.id}-address": "1 New Road"}, htmx=htmx)
    assert _item(app, Location, "Main clinic").address == "1 New Road"
    for kind, item_id in (("provider", lee.id), ("location", main.id)):
        resp = admin.post(f"/admin/settings/{kind}/{item_id}/remove", htmx=htmx)
        assert resp.status_code == (200 if htmx else 303)
    with app.app_context():
        assert db.session.get(Provider, lee.id) is None
        assert db.session.get(Location, main.id) is None
    assert [a for a, _ in actions(app)] == ["provider_renamed", "location_renamed",
                                            "provider_removed", "location_removed"]


def test_a_provider_named_on_an_appointment_request_is_kept(app, practices, admin):
    patient = at_review(app, practices)
    patient.step("review", GOOD["review"], action="appointment")
    ortiz = _item(app, Provider, "Dr. Ana Ortiz")
    html = patient.get("/enroll/appointment").get_data(as_text=True)
    data = {k: v[0] for k, v in read_page(html).values.items() if v}
    data.update(provider=str(ortiz.id), reason="A check-up", days="mon", times="morning",
                action="next")
    resp = patient.post("/enroll/appointment", data)
    assert resp.status_code in (200, 303), resp.get_data(as_text=True)[:2000]
    resp = admin.post(f"/admin/settings/provider/{ortiz.id}/remove")
    assert resp.status_code == 409 and "rename it instead" in resp.get_data(as_text=True)
    assert _item(app, Provider, "Dr. Ana Ortiz").id == ortiz.id


def test_staff_role_is_refused_every_settings_route(app, practices, make_staff):
    staff = make_staff("sam@riverside.example")
    lee = _item(app, Provider, "Dr. Samuel Lee")
    for method, path in [("GET", "/admin/settings"), ("POST", "/admin/settings"),
                         ("POST", "/admin/settings/provider/add"),
                         ("POST", f"/admin/settings/provider/{lee.id}"),
                         ("POST", f"/admin/settings/provider/{lee.id}/remove"),
                         ("GET", "/admin/staff"), ("POST", "/admin/staff/invite")]:
        for htmx in (False, True):
            resp = staff.get(path, htmx=htmx) if method == "GET" else staff.post(
                path, {"new-provider-name": "X", "name": "X"}, htmx=htmx)
            assert resp.status_code == 403, (method, path)
    assert _item(app, Provider, "Dr. Samuel Lee").id == lee.id
    assert "Practice settings" not in staff.get("/admin/").get_data(as_text=True)
    assert actions(app) == []


def test_the_settings_page_is_a_whole_page_and_a_fragment(app, practices, admin):
    page = admin.get("/admin/settings").get_data(as_text=True)
    fragment = admin.get("/admin/settings", htmx=True).get_data(as_text=True)
    assert "<html" in page and "<html" not in fragment
    assert 'data-hx-post="/admin/settings"' in fragment and 'action="/admin/settings"' in fragment
    assert "Practice settings" in admin.get("/admin/").get_data(as_text=True)
