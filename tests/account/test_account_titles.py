"""One title for each patient page after submission, made from its heading (README,
"Templates"): the page and htmx's fragment carry the same <title>, which begins with the
<h1>, and says "Error: " first when the page shows errors."""
from tests.account.conftest import approve
from tests.account.recovery_helpers import ask_link, visitor
from tests.pages import titled_alike

SITE = " – Patient portal"


def _pages(person, paths):
    for path in paths:
        yield path, titled_alike(lambda htmx, path=path: person.get(path, htmx=htmx), path)


def _posts(person, path, data):
    return titled_alike(lambda htmx: person.post(path, data, htmx=htmx), f"POST {path}")


def test_the_pages_before_sign_in_have_one_title(app, practices):
    person = visitor(app)
    titles = dict(_pages(person, ["/login", "/forgot-password", "/forgot-username",
                                  "/recover/" + "A" * 43]))
    assert titles["/login"] == "Sign in to the patient portal" + SITE
    assert titles["/forgot-password"] == "Forgot your password?" + SITE
    assert _posts(person, "/login", {"username": "nobody-here", "password": "wrong one"}) \
        == "Error: Sign in to the patient portal" + SITE
    assert _posts(person, "/forgot-password", {}) == "Error: Forgot your password?" + SITE
    assert _posts(person, "/forgot-username", {}) == "Error: Forgot your username?" + SITE


def test_a_pending_patient_s_pages_have_one_title(app, patient, make_staff):
    user = patient()
    assert dict(_pages(user, ["/status"]))["/status"] == "Your enrollment request" + SITE
    staff = make_staff()
    staff.get(f"/admin/requests/{user.request_id}")
    staff.post(f"/admin/requests/{user.request_id}/needs-info",
               {"message": "Check your address.", "sections": ["personal"]})
    path = "/status/correct/personal"
    assert dict(_pages(user, [path]))[path].startswith("Correct: Personal information – ")
    assert _posts(user, path, {"first_name": ""}).startswith("Error: Correct: ")


def test_an_approved_patient_s_pages_have_one_title(app, patient, make_staff):
    user = patient(sign_in=False)
    approve(app, make_staff, user.request_id)
    assert user.sign_in().status_code == 303
    titles = dict(_pages(user, ["/account", "/account/password", "/account/questions"]))
    assert titles["/account"] == "Your account" + SITE
    assert _posts(user, "/account/password", {}) == "Error: Change your password" + SITE
    assert _posts(user, "/account/questions", {}).startswith("Error: Change your security ")


def test_a_recovery_link_has_one_title(app, smtp, patient):
    user = patient(sign_in=False)
    _, path = ask_link(app, smtp, user.username, user.email)
    person = visitor(app)
    assert dict(_pages(person, [path]))[path] == "Choose a new password" + SITE
    wrong = {"answer_1": "no", "answer_2": "no", "password": "x", "confirm": "x"}
    assert _posts(person, path, wrong).startswith("Error: ")
