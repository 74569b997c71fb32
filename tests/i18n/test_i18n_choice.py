"""The patient's language: first from the browser (Accept-Language), then as chosen on
any page with a plain link; kept on the draft, the account and the request, so every
email is in it, those the staff's decisions send and those the outbox sends later."""
import re

import pytest
import sqlalchemy as sa

from enrollment.models import Draft, EnrollmentRequest, PatientAccount
from extensions import db
from outbox import OutboxMessage, send_due
from tests.conftest import csrf_token
from tests.i18n.walk import Person, browser, confirm_path, data_of
from tests.outbox.conftest import smtp  # noqa: F401  (the SMTP fixture)
from tests.pages import heading
from tests.wizard import Patient

SWITCH_TO_ES = '<a href="?lang=es_US" hreflang="es-US" lang="es-US">Español</a>'
SWITCH_TO_EN = '<a href="?lang=en" hreflang="en" lang="en">English</a>'


def get(client, path, accept=None):
    headers = {"Accept-Language": accept} if accept is not None else {}
    return client.get(path, headers=headers)


@pytest.mark.parametrize(("accept", "lang", "title"), [
    ("es-MX,es;q=0.9,en;q=0.5", "es-US", "Elija su consultorio médico"),
    ("es", "es-US", "Elija su consultorio médico"),
    ("es-419", "es-US", "Elija su consultorio médico"),
    ("fr-CA, es;q=0.5", "es-US", "Elija su consultorio médico"),
    ("en-US,en;q=0.9,es;q=0.8", "en", "Select medical practice"),
    ("de-DE", "en", "Select medical practice"),
    ("", "en", "Select medical practice"),
])
def test_the_first_language_follows_the_browser(client, accept, lang, title):
    html = get(client, "/enroll/practice", accept).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and heading(html) == title


@pytest.mark.parametrize("path", ["/", "/enroll/practice", "/login", "/forgot-password",
                                  "/forgot-username", "/no/such/page"])
def test_every_patient_page_offers_the_other_language_as_a_plain_link(client, path):
    english = get(client, path).get_data(as_text=True)
    assert SWITCH_TO_ES in english and '<span aria-current="true" lang="en">English' in english
    spanish = get(client, path, "es").get_data(as_text=True)
    assert SWITCH_TO_EN in spanish and 'aria-label="Idioma"' in spanish


def test_the_dashboard_stays_english_without_a_switcher(client):
    html = get(client, "/admin/login", "es-MX,es").get_data(as_text=True)
    assert '<html lang="en">' in html and "?lang=" not in html
    resp = client.get("/admin/login?lang=es_US")
    assert resp.status_code == 200 and client.get_cookie("lang") is None


def test_the_link_keeps_the_choice_and_shows_the_same_page_again(client):
    resp = client.get("/enroll/practice?lang=es_US", headers={"Accept-Language": "en"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/enroll/practice"
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("lang=es_US;") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Path=/" in cookie
    html = get(client, "/enroll/practice", "en").get_data(as_text=True)   # beats the browser
    assert heading(html) == "Elija su consultorio médico"
    client.get("/login?lang=en")
    assert heading(get(client, "/login", "es").get_data(as_text=True)) == \
        "Sign in to the patient portal"


def test_an_unknown_language_changes_nothing(client):
    resp = client.get("/login?lang=xx_YY")
    assert resp.status_code == 303 and resp.headers["Location"] == "/login"
    assert "Set-Cookie" not in resp.headers and client.get_cookie("lang") is None


@pytest.mark.parametrize(("path", "landing"), [
    ("//evil.example/", "/"),
    ("/\\evil.example/", "/"),
    ("/%2F%2Fevil.example", "/"),
    ("/status/new-link", "/status"),            # answers POST only: its landing page
    ("/enroll/done/new-link", "/enroll/"),
    ("/enroll/confirm/abc/new-link", "/"),
    ("/recover/some-token", "/recover/some-token"),
    ("/enroll/personal", "/enroll/personal"),
])
def test_the_link_never_leads_off_the_site(client, path, landing):
    resp = client.get(path + "?lang=es_US&next=https://evil.example/")
    assert resp.status_code == 303 and resp.headers["Location"] == landing
    assert resp.headers["Set-Cookie"].startswith("lang=es_US;")


def _draft(app) -> Draft:
    with app.app_context():
        return db.session.execute(sa.select(Draft).execution_options(
            populate_existing=True)).scalar_one()


def _rows(app, n) -> tuple[EnrollmentRequest, PatientAccount]:
    with app.app_context():
        req = db.session.execute(sa.select(EnrollmentRequest).where(
            EnrollmentRequest.email == f"walk{n}@example.org")).scalar_one()
        return req, db.session.get(PatientAccount, req.account_id)


def _emails(app, n) -> list[OutboxMessage]:
    with app.app_context():
        return db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.to_addr == f"walk{n}@example.org")
            .order_by(OutboxMessage.id)).scalars().all()


def test_a_draft_keeps_the_language_it_was_started_in(app, practices):
    p = Patient(browser(app, "es"))
    p.complete_through("practice", practices["hillcrest-internal"])
    assert _draft(app).locale == "es_US"
    p.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"   # the browser's setting changed
    html = p.get("/enroll/personal").get_data(as_text=True)
    assert heading(html) == "Escriba su información personal"


def test_the_choice_reaches_the_draft_the_request_the_account_and_every_email(
        app, practices, make_staff, smtp):  # noqa: F811
    n, d = 20, data_of(20)
    p = Patient(browser(app, "en"))
    p.complete_through("personal", practices["hillcrest-internal"], personal=d["personal"])
    assert _draft(app).locale == "en"
    p.get("/enroll/insurance?lang=es_US")
    assert heading(p.get("/enroll/insurance").get_data(as_text=True)) == \
        "Información del seguro médico (opcional)"
    assert _draft(app).locale == "es_US"
    for name in ("insurance", "credentials", "security", "review"):
        data = {**d, "insurance": {}}.get(name)
        assert p.step(name, data).status_code == 303
    req, account = _rows(app, n)
    assert req.locale == account.locale == "es_US"
    assert [(m.template, m.locale) for m in _emails(app, n)] == [("received_confirm", "es_US")]
    link = confirm_path(app, n)
    page = p.client.get(link).get_data(as_text=True)
    assert heading(page) == "Confirme su correo electrónico"
    p.client.post(link, data={"csrf_token": csrf_token(page)})
    with app.app_context():
        notice = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.template == "new_request")).scalar_one()
    assert notice.locale == "en"                       # to the practice: its language

    staff = make_staff("ana@hillcrest.example", practice="hillcrest-internal")
    detail = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert "<dt>Language</dt><dd>Spanish</dd>" in detail
    assert re.search(r'id="patient-language">The patient.s language is Spanish', detail)
    assert '<span class="tag">Spanish</span>' in staff.get("/admin/").get_data(as_text=True)
    staff.post(f"/admin/requests/{req.id}/needs-info",
               {"message": "Por favor revise su dirección.", "sections": ["personal"]})
    with app.app_context():
        sent = send_due()
    assert sent.failed == 0
    delivered = [m for m in smtp.messages if f"walk{n}@example.org" in m.rcpt_tos]
    assert [m.message["Subject"] for m in delivered] == [
        "Hillcrest Internal Medicine recibió su solicitud de inscripción",
        "Hillcrest Internal Medicine tiene un mensaje sobre su solicitud de inscripción"]
    assert "Hola, Maria:" in delivered[-1].part("plain")

    # A new browser in English, no choice of its own: the account's language.
    person = Person(browser(app, "en"))
    person.get("/login")
    person.post("/login", {"username": d["credentials"]["username"],
                           "password": d["credentials"]["password"]})
    html = person.get("/status").get_data(as_text=True)
    assert heading(html) == "Su solicitud de inscripción" and "Por favor revise" in html
    chosen = person.get("/status?lang=en")             # the patient chooses English
    assert heading(person.get(chosen.headers["Location"]).get_data(as_text=True)) == \
        "Your enrollment request"
    req, account = _rows(app, n)
    assert req.locale == account.locale == "en"
    staff.get(f"/admin/requests/{req.id}")
    staff.post(f"/admin/requests/{req.id}/reject", {"reason": "details_mismatch"})
    last = _emails(app, n)[-1]
    assert (last.template, last.locale) == ("rejected", "en")
    assert last.subject == "About your enrollment request with Hillcrest Internal Medicine"
