"""One title for each page of the staff dashboard, made from its heading (README,
"Templates"): the page and htmx's fragment carry the same <title>, which begins with the
<h1>, and says "Error: " first when the page shows errors.  A fragment that fills part
of a page (search results, the decision panel) carries its page's title too."""
from tests.admin.conftest import Staff
from tests.pages import titled_alike

SITE = " – Staff dashboard"


def _get(person, path, part=False):
    return titled_alike(lambda htmx: person.get(path, htmx=htmx), path, part)


def _post(person, path, data, part=False):
    return titled_alike(lambda htmx: person.post(path, data, htmx=htmx), f"POST {path}",
                        part)


def test_the_pages_before_sign_in_have_one_title(app, make_staff):
    make_staff(sign_in=False)
    person = Staff(app.test_client(), "ana@riverside.example")
    person.get("/admin/login")
    assert _get(person, "/admin/login") == "Sign in to the staff dashboard" + SITE
    assert _get(person, "/admin/forgot") == "Forgot your password?" + SITE
    for kind in ("invite", "reset"):
        assert _get(person, f"/admin/{kind}/" + "A" * 43) == "This link is not valid" + SITE
    assert _post(person, "/admin/login", {"email": person.email, "password": "wrong"}) \
        == "Error: Sign in to the staff dashboard" + SITE
    assert _post(person, "/admin/forgot", {}) == "Error: Forgot your password?" + SITE


def test_every_dashboard_page_and_its_error_states_have_one_title(
        app, make_staff, patient_request):
    req = patient_request()
    admin = make_staff(admin=True)
    titles = {path: _get(admin, path) for path in (
        "/admin/", "/admin/?status=approved", "/admin/appointments", "/admin/settings",
        "/admin/staff", "/admin/audit")}
    assert titles["/admin/"] == "Enrollment requests" + SITE
    assert not any(title.startswith("Error: ") for title in titles.values())
    # The request's page: htmx asks it only for its decision panel.
    assert _get(admin, f"/admin/requests/{req.id}", part=True) == "Maria Delgado" + SITE

    assert _post(admin, "/admin/search", {"by": "name", "q": ""}, part=True) \
        == "Error: Enrollment requests" + SITE
    assert _post(admin, "/admin/settings", {"name": ""}) == "Error: Practice settings" + SITE
    assert _post(admin, "/admin/staff/invite", {"email": "not an address"}) \
        == "Error: Staff" + SITE
    # The decision panel's refusal: the page's title (its form is not the page's own).
    assert _post(admin, f"/admin/requests/{req.id}/reject", {}, part=True) \
        == "Maria Delgado" + SITE
