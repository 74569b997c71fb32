"""A patient's every page, step, error state and email, in one language: the same walk
for English and for Spanish, so the test can hold the two side by side.

Each walk returns {label: html}; a page that answers another status than expected fails
the walk itself (a Spanish page must be the same page, not an error page)."""
import re
from datetime import date, timedelta

import sqlalchemy as sa

from database import write_transaction
from enrollment.models import EmailConfirmation, EnrollmentRequest, utcnow
from extensions import db, limiter
from outbox import OutboxMessage
from tests.browser import FormBrowser
from tests.conftest import csrf_token
from tests.wizard import GOOD, Patient

LANGS = {"en": "en-US,en;q=0.9", "es": "es-US,es;q=0.9"}
CHECK = "/enroll/check/"


class Pages(dict):
    def keep(self, label: str, resp, status: int = 200) -> str:
        html = resp.get_data(as_text=True)
        assert resp.status_code == status, (label, resp.status_code, html[:1500])
        self[label] = html
        return html


def browser(app, lang: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = LANGS[lang]
    return client


def data_of(n: int) -> dict:
    return {"personal": {**GOOD["personal"], "email": f"walk{n}@example.org"},
            "credentials": {**GOOD["credentials"], "username": f"walker{n}x"}}


def live(patient, field: str, value: str):
    return patient.client.post(CHECK + field, data={field: value, "csrf_token": patient.token},
                               headers={"HX-Request": "true"})


def enrollment(app, practices, lang: str, n: int, monkeypatch) -> Pages:
    """Home, every step (and its error states), the live checks, the human check,
    the appointment, the done page, start over, and the 4xx pages on the way."""
    pages, data = Pages(), data_of(n)
    p = Patient(browser(app, lang))
    pages.keep("home", p.get("/"))
    pages.keep("practice", p.get("/enroll/practice"))
    pages.keep("practice 422", p.step("practice", {"practice": ""}), 422)
    p.step("practice", {"practice": str(practices["riverside-family"])})
    pages.keep("personal", p.get("/enroll/personal"))
    pages.keep("personal 422 empty", p.step("personal", {}), 422)
    wrong = {**data["personal"], "phone": "12", "zip_code": "abc", "state": "ZZ",
             "date_of_birth": "1980-02-30", "email": "not an address", "city": "a\x01b"}
    pages.keep("personal 422 wrong", p.step("personal", wrong), 422)
    young = date.today() - timedelta(days=365 * 10)
    pages.keep("personal 422 young", p.step("personal", {**data["personal"],
                                                         "date_of_birth": young.isoformat()}), 422)
    pages.keep("personal 400 stale form", p.post("/enroll/personal", data["personal"],
                                                 token=False), 400)
    p.step("personal", data["personal"])
    _human_check(pages, p, monkeypatch, app)
    pages.keep("insurance 422 partial", p.step("insurance", {"carrier": "Acme Health"}), 422)
    p.step("insurance", {})
    pages.keep("credentials", p.get("/enroll/credentials"))
    pages.keep("credentials 422", p.step("credentials", {"username": "ab", "password": "password",
                                                         "confirm": "other"}), 422)
    pages.keep("credentials 422 name", p.step("credentials", {
        **data["credentials"], "password": "maria delgado 1984 x", "confirm": "x"}), 422)
    for field, value in (("username", "ab"), ("username", "free-name-42"),
                         ("password", "short"), ("password", "quiet lantern harbour 9")):
        pages.keep(f"live {field} {value}", live(p, field, value))
    p.step("credentials", data["credentials"])
    pages.keep("security", p.get("/enroll/security"))
    same = {f"question_{i}": "first_pet" for i in range(1, 6)}
    pages.keep("security 422", p.step("security", {**same, "answer_1": "ab",
                                                   "answer_2": data["credentials"]["username"]}),
               422)
    p.step("security")
    pages.keep("review", p.get("/enroll/review"))
    pages.keep("review 422", p.step("review", {}), 422)
    p.step("review", {"terms": "y", "email_contact": "y"}, action="appointment")
    pages.keep("appointment", p.get("/enroll/appointment"))
    pages.keep("appointment 422", p.post("/enroll/appointment", {"reason": "", "days": "sun"}),
               422)
    p.post("/enroll/appointment", {"reason": "A check-up", "days": "mon", "times": "morning"})
    pages.keep("done", p.get("/enroll/done"))
    pages.keep("done: a new link too soon", p.post("/enroll/done/new-link", {}), 429)
    pages.keep("start over?", p.get("/enroll/start-over"))
    pages.keep("404 step", p.get("/enroll/no-such-step"), 404)
    pages.keep("404", p.get("/no/such/page"), 404)
    pages.keep("405", p.get(CHECK + "username"), 405)
    pages.keep("413", p.client.post("/enroll/personal", data={"x": "y" * 70_000}), 413)
    _resume(pages, app, practices, lang, n)
    return pages


def _human_check(pages, p, monkeypatch, app) -> None:
    monkeypatch.setitem(app.config, "HUMAN_CHECK", True)
    monkeypatch.setitem(app.config, "HUMAN_CHECK_COST", 50)
    pages.keep("insurance with the human check", p.get("/enroll/insurance"))
    pages.keep("insurance 422 human check", p.step("insurance", {}), 422)
    monkeypatch.setitem(app.config, "HUMAN_CHECK", False)


def _resume(pages, app, practices, lang, n) -> None:
    """Another browser session with the draft's cookie: the date-of-birth check."""
    p = Patient(browser(app, lang))
    p.complete_through("personal", practices["hillcrest-internal"],
                       personal=data_of(n + 50)["personal"])
    cookie = p.client.get_cookie("enroll_draft", path="/enroll")
    later = Patient(browser(app, lang))
    later.client.set_cookie("enroll_draft", cookie.value, path="/enroll")
    assert later.get("/enroll/personal").status_code == 303
    pages.keep("resume", later.get("/enroll/resume"))
    pages.keep("resume 422", later.post("/enroll/resume", {"date_of_birth": "1990-01-01"}), 422)
    for _ in range(3):
        later.post("/enroll/resume", {"date_of_birth": "1990-01-01"})
    pages.keep("erased after wrong dates", later.post("/enroll/resume",
                                                      {"date_of_birth": "1990-01-01"}), 403)
    other = Patient(browser(app, lang))
    other.complete_through("practice", practices["hillcrest-internal"])
    pages.keep("erased on request", other.post("/enroll/start-over", {}))


def enroll(app, practices, lang: str, n: int) -> Patient:
    """A whole enrollment in `lang` (Hillcrest: no appointment module)."""
    p = Patient(browser(app, lang))
    d = data_of(n)
    resp = p.complete_through("review", practices["hillcrest-internal"],
                              personal=d["personal"], credentials=d["credentials"])
    assert resp.headers["Location"].endswith("/enroll/done")
    return p


def request_id(app, n: int) -> int:
    with app.app_context():
        return db.session.execute(sa.select(EnrollmentRequest.id).where(
            EnrollmentRequest.email == f"walk{n}@example.org")).scalar_one()


def confirmation_pages(app, practices, lang: str, n: int) -> Pages:
    """Every state of an email-confirmation link."""
    pages = Pages()
    enroll(app, practices, lang, n)
    token = "bogus-" + "x" * 30
    visitor = browser(app, lang)
    pages.keep("link unknown", visitor.get(f"/enroll/confirm/{token}"), 404)
    path = confirm_path(app, n)
    page = pages.keep("link valid", visitor.get(path))
    pages.keep("link stale form", visitor.post(path, data={}), 400)
    pages.keep("link confirmed", visitor.post(path, data={"csrf_token": csrf_token(page)}))
    pages.keep("link used", visitor.get(path), 410)
    rid = request_id(app, n)
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(EnrollmentRequest).where(EnrollmentRequest.id == rid)
                           .values(email_confirmed_at=None,
                                   confirmation_sent_at=utcnow() - timedelta(hours=73)))
        db.session.execute(sa.update(EmailConfirmation).values(
            used_at=None, expires_at=utcnow() - timedelta(minutes=1),
            created_at=utcnow() - timedelta(hours=73)))
    page = pages.keep("link expired", visitor.get(path), 410)
    sent = visitor.post(path + "/new-link", data={"csrf_token": csrf_token(page)})
    pages.keep("link sent", sent)
    return pages


def confirm_path(app, n: int) -> str:
    """The newest confirmation link of walk<n>, from its queued email."""
    with app.app_context():
        body = db.session.execute(sa.select(OutboxMessage.body_text).where(
            OutboxMessage.to_addr == f"walk{n}@example.org",
            OutboxMessage.template == "received_confirm")
            .order_by(OutboxMessage.id.desc())).scalars().first()
    return re.search(r"http://localhost(/enroll/confirm/[A-Za-z0-9_-]+)", body).group(1)


def reset_limits(app) -> None:
    with app.app_context():
        limiter.reset()


class Person(FormBrowser):
    """A patient's browser after submission (keeps the CSRF token of the last page)."""

    def __init__(self, client):
        self.client, self.token = client, ""
