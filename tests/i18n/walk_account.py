"""The patient after submission, in one language: sign-in, the status page, the
practice's question and the corrections, the account page and its changes, recovery
(every state of a link), the limits, and the emails the walk made."""
import hashlib
import re
from datetime import timedelta
from html import escape

import sqlalchemy as sa

from account.models import RecoveryToken
from database import write_transaction
from enrollment.models import utcnow
from extensions import db
from outbox import OutboxMessage
from outbox.jobs import handler_for
from outbox.models import DONE, JOB, PENDING
from tests.admin.conftest import confirm_email
from tests.i18n.walk import (Pages, Person, browser, data_of, enroll, request_id,
                             reset_limits)
from tests.wizard import GOOD

ANSWERS = {GOOD["security"][f"question_{i}"]: GOOD["security"][f"answer_{i}"]
           for i in range(1, 6)}
NEW_PASSWORD = "amber meadow teapot 77"


def account(app, practices, staff, lang: str, n: int) -> Pages:
    pages, d = Pages(), data_of(n)
    enrolled = enroll(app, practices, lang, n)
    rid = request_id(app, n)
    person = Person(browser(app, lang))
    pages.keep("sign in", person.get("/login"))
    pages.keep("sign in 422", person.post("/login", {}), 422)
    pages.keep("sign in 401", person.post("/login", {"username": d["credentials"]["username"],
                                                     "password": "not it at all"}), 401)
    person.post("/login", {"username": d["credentials"]["username"],
                           "password": d["credentials"]["password"]})
    pages.keep("status pending", person.get("/status"))
    pages.keep("status: a new link too soon", person.post("/status/new-link"), 429)
    staff.get(f"/admin/requests/{rid}")
    staff.post(f"/admin/requests/{rid}/needs-info",
               {"message": "Please check your street address.", "sections": ["personal"]})
    pages.keep("status needs information", person.get("/status"))
    pages.keep("correct", person.get("/status/correct/personal"))
    pages.keep("correct 422", person.post("/status/correct/personal", {}), 422)
    saved = person.post("/status/correct/personal", d["personal"])
    pages.keep("status saved", person.get(saved.headers["Location"]))
    sent = person.post("/status/resubmit")
    pages.keep("status sent back", person.get(sent.headers["Location"]))
    confirm_email(app, rid)
    staff.get(f"/admin/requests/{rid}")
    staff.post(f"/admin/requests/{rid}/approve")
    pages.keep("account", person.get("/account"))
    pages.keep("change password", person.get("/account/password"))
    pages.keep("change password 422", person.post("/account/password", {}), 422)
    pages.keep("change questions", person.get("/account/questions"))
    pages.keep("change questions 422", person.post("/account/questions", {}), 422)
    person.post("/logout")
    pages.keep("done: decided already", enrolled.post("/enroll/done/new-link", {}), 409)
    _recovery(pages, app, lang, n)
    return pages


def _run_jobs(app) -> None:
    """What the outbox sender does with the recovery job (the look-up, the token, the
    email), without delivering: the walk reads the queued email's link."""
    with app.app_context():
        jobs = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.kind == JOB, OutboxMessage.status == PENDING)).scalars().all()
        for job in jobs:
            with write_transaction():
                handler_for(job.template)(job.payload)
                job.status = DONE


def _link(app, n: int) -> str:
    _run_jobs(app)
    with app.app_context():
        body = db.session.execute(sa.select(OutboxMessage.body_text).where(
            OutboxMessage.to_addr == f"walk{n}@example.org",
            OutboxMessage.template == "patient_reset")
            .order_by(OutboxMessage.id.desc())).scalars().first()
    return re.search(r"http://localhost(/recover/[A-Za-z0-9_-]+)", body).group(1)


def _ask_link(app, lang, n) -> tuple[Person, str]:
    visitor = Person(browser(app, lang))
    visitor.get("/forgot-password")
    visitor.post("/forgot-password", {"identifier": data_of(n)["credentials"]["username"]})
    path = _link(app, n)
    return visitor, path


def _answers(app, path: str, right: bool, password=NEW_PASSWORD) -> dict:
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        row = db.session.execute(sa.select(RecoveryToken).where(
            RecoveryToken.token_hash == hashlib.sha256(token.encode()).hexdigest())).scalar()
        questions = row.questions
    return {**{f"answer_{i}": ANSWERS[q] if right else "wrong" for i, q in
               enumerate(questions, 1)}, "password": password, "confirm": password}


def _recovery(pages, app, lang, n) -> None:
    reset_limits(app)   # recovery POSTs are limited per address: each walk starts afresh
    visitor = Person(browser(app, lang))
    pages.keep("forgot password", visitor.get("/forgot-password"))
    pages.keep("forgot password 422", visitor.post("/forgot-password", {}), 422)
    pages.keep("forgot password sent", visitor.post("/forgot-password", {
        "identifier": data_of(n)["credentials"]["username"]}))
    path = _link(app, n)
    pages.keep("recover", visitor.get(path))
    pages.keep("recover 422 wrong", visitor.post(path, _answers(app, path, False)), 422)
    pages.keep("recover 422 password", visitor.post(path, _answers(app, path, True, "short")),
               422)
    done = visitor.post(path, _answers(app, path, True))
    pages.keep("recover done", visitor.get(done.headers["Location"]))
    pages.keep("recover used", visitor.get(path), 410)
    pages.keep("recover unknown", visitor.get("/recover/" + "x" * 40), 404)
    visitor, path = _ask_link(app, lang, n)
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(RecoveryToken).where(RecoveryToken.used_at.is_(None))
                           .values(expires_at=utcnow() - timedelta(minutes=1)))
    pages.keep("recover expired", visitor.get(path), 410)
    visitor, path = _ask_link(app, lang, n)
    visitor.get(path)
    for _ in range(2):
        visitor.post(path, _answers(app, path, False))
    pages.keep("recover locked", visitor.post(path, _answers(app, path, False)), 423)
    pages.keep("forgot username", visitor.get("/forgot-username"))
    pages.keep("forgot username 422", visitor.post("/forgot-username", {}), 422)
    pages.keep("forgot username sent", visitor.post("/forgot-username", {
        "email": f"walk{n}@example.org"}))
    _run_jobs(app)   # the usernames email, queued by the job


def limits(app, monkeypatch, lang: str, n: int) -> Pages:
    """The 429 pages: too many failed sign-ins, too many recovery requests."""
    pages = Pages()
    monkeypatch.setitem(app.config, "PATIENT_LOGIN_LIMIT", "2 per hour")
    monkeypatch.setitem(app.config, "PATIENT_RECOVERY_LIMIT", "2 per hour")
    person = Person(browser(app, lang))
    person.get("/login")
    wrong = {"username": f"nobody{n}", "password": "not the password"}
    for _ in range(2):
        person.post("/login", wrong)
    pages.keep("sign in 429", person.post("/login", wrong), 429)
    person.get("/forgot-username")
    for _ in range(2):
        person.post("/forgot-username", {"email": f"nobody{n}@example.org"})
    pages.keep("recovery 429", person.post("/forgot-username",
                                           {"email": f"nobody{n}@example.org"}), 429)
    return pages


def emails(app, n: int) -> dict[str, str]:
    """Every email the walk queued for walk<n>: subject, text and HTML parts."""
    with app.app_context():
        rows = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.to_addr == f"walk{n}@example.org")
            .order_by(OutboxMessage.id)).scalars().all()
    found = {}
    for row in rows:
        label = f"{row.template} #{sum(k.startswith(row.template) for k in found) // 2}"
        found[f"{label} text"] = "\n".join(f"<p>{escape(line)}</p>" for line in
                                          [row.subject, *row.body_text.splitlines()])
        found[f"{label} html"] = row.body_html
    return found
