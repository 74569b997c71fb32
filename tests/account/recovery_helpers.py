"""Recovery tests' shared pieces: asking for a link, reading it from the delivered
email, opening it and answering its two questions."""
import hashlib
import re

import sqlalchemy as sa
from markupsafe import escape

from account.models import RecoveryToken
from database import write_transaction
from enrollment.codes import SECURITY_QUESTIONS
from enrollment.models import EnrollmentRequest, PatientAccount
from extensions import db
from tests.account.conftest import PASSWORD, PatientUser, deliver
from tests.wizard import GOOD

LINK = re.compile(r"http://localhost(/recover/([A-Za-z0-9_-]+))")
NEW_PASSWORD = "amber meadow teapot 77"
ANSWERS = {GOOD["security"][f"question_{i}"]: GOOD["security"][f"answer_{i}"]
           for i in range(1, 6)}
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')
# Never in an email: answers, the password, the date of birth, the rest of the request.
FORBIDDEN_IN_EMAIL = [*ANSWERS.values(), PASSWORD, "1984", "Delgado", "Elm Street", "0199"]


def masked(html: str) -> str:
    return CSRF_VALUE.sub(r"\1-\2", html)


def visitor(app) -> PatientUser:
    return PatientUser(app.test_client(), "", "", 0)


def from_address(n: int) -> dict:
    return {"environ_base": {"REMOTE_ADDR": f"10.0.0.{n}"}}


def ask_link(app, smtp, identifier: str, to: str, htmx=False):
    """Forgot password for `identifier`; the delivered message to `to` and its path."""
    person = visitor(app)
    person.get("/forgot-password")
    resp = person.post("/forgot-password", {"identifier": identifier}, htmx=htmx)
    assert resp.status_code == 200
    messages = mail(app, smtp, to, "new password")
    assert messages, f"nothing delivered to {to}"
    return messages[-1], link_of(messages[-1])


def mail(app, smtp, to: str, subject: str) -> list:
    """Delivered messages to `to` whose subject holds `subject` (the wizard's own
    confirmation emails go to the same addresses)."""
    return [m for m in deliver(app, smtp, to) if subject in m.message["Subject"]]


def link_of(message) -> str:
    found = LINK.search(message.part("plain"))
    assert found and found.group(0) in message.part("html")
    return found.group(1)


def asked_questions(app, html: str) -> list:
    """The questions' codes, read back from the labels of the page."""
    labels = re.findall(r'<label for="answer_[12]">([^<]+)</label>', html)
    with app.test_request_context():
        codes = {str(escape(str(v))): k for k, v in SECURITY_QUESTIONS.items()}
    return [codes[label.strip()] for label in labels]


def token_row(app, path: str) -> RecoveryToken:
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        return db.session.execute(sa.select(RecoveryToken).where(
            RecoveryToken.token_hash == hashlib.sha256(token.encode()).hexdigest())
            .execution_options(populate_existing=True)).scalar()


def answer(person, path, questions, right=True, password=NEW_PASSWORD, htmx=False,
           confirm=None):
    given = {f"answer_{i}": (f"  {ANSWERS[q].upper()} " if right else "wrong answer")
             for i, q in enumerate(questions, 1)}
    return person.post(path, {**given, "password": password,
                              "confirm": password if confirm is None else confirm},
                       htmx=htmx)


def open_link(app, path, htmx=False):
    person = visitor(app)
    page = person.get(path, htmx=htmx)
    return person, page, asked_questions(app, page.get_data(as_text=True))


def requests_of(app, email: str) -> list[EnrollmentRequest]:
    with app.app_context():
        return list(db.session.execute(sa.select(EnrollmentRequest).where(
            EnrollmentRequest.email == email)).scalars())


def set_locked_until(app, username, when):
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(PatientAccount).where(
            PatientAccount.username == username).values(recovery_locked_until=when))
