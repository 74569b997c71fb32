"""What a step does with a valid (or a Back) post: save into the draft, hash secrets,
and keep the rules that cross steps.  Views call these; they never hash or query."""
import sqlalchemy as sa
from flask import current_app, g
from werkzeug.datastructures import MultiDict

from auth.hashing import hash_secret, verify_secret
from database import write_transaction
from extensions import db

from . import policy, steps
from .drafts import touch
from .models import Draft, PatientAccount, Practice, utcnow

CONTROL = {"csrf_token", "action"}


class WizardContext:
    """What a step's rules need to know about the rest of the draft."""

    def __init__(self, draft: Draft | None):
        cfg = current_app.config
        self.draft = draft
        self.limits = policy.Limits(cfg["USERNAME_MIN_LENGTH"], cfg["USERNAME_MAX_LENGTH"],
                                    cfg["PASSWORD_MIN_LENGTH"], cfg["PASSWORD_MAX_LENGTH"])
        self.min_age = cfg["MIN_PATIENT_AGE"]
        clean = draft.clean if draft else {}
        self.practice = practice_of(draft)
        self.practice_name = self.practice.name if self.practice else ""
        personal = clean.get("personal", {})
        self.name_parts = tuple(personal.get(k, "") for k in
                                ("first_name", "middle_name", "last_name"))
        self.saved_username = clean.get("credentials", {}).get("username", "")
        self.has_password = bool(draft and draft.password_hash)
        security = clean.get("security", {})
        self.questions = security.get("questions", [])
        self.answer_hashes = security.get("answer_hashes", [])

    @staticmethod
    def username_taken(lower: str) -> bool:
        query = sa.select(PatientAccount.id).where(PatientAccount.username == lower)
        return db.session.execute(query).first() is not None

    def is_security_answer(self, password: str) -> bool:
        typed = policy.normalise_answer(password)
        return any(verify_secret(h, typed) for h in self.answer_hashes)

    def is_password(self, answer: str) -> bool:
        return self.has_password and verify_secret(self.draft.password_hash, answer)

    def can_keep_answer(self, index: int, question: str) -> bool:
        return (index < len(self.questions) and self.questions[index] == question
                and index < len(self.answer_hashes))


def practice_of(draft: Draft | None) -> Practice | None:
    """The draft's practice, loaded once per request (the session's identity map holds
    it only while something does, and a step asks for it three times)."""
    practice_id = (draft.clean if draft else {}).get("practice", {}).get("practice_id")
    if not practice_id:
        return None
    loaded = g.setdefault("practices", {})
    if practice_id not in loaded:
        loaded[practice_id] = db.session.get(Practice, practice_id)
    return loaded[practice_id]


def make_form(step: steps.Step, draft: Draft | None, formdata=None):
    """The step's form, bound to a post, or (formdata=None on GET) to the draft's values."""
    if formdata is None:
        saved = (draft.data.get(step.name) if draft else None) or {}
        formdata = MultiDict([(k, v) for k, values in saved.items() for v in values])
    form = step.form(formdata=formdata)
    form.ctx = WizardContext(draft)
    if step.name == "practice":
        form.practice.choices = [("", "")] + Practice.active_choices()
    return form


def raw_values(step: steps.Step, formdata) -> dict:
    """What was typed, as lists of strings, without control fields or secrets."""
    skip = CONTROL | set(step.secret_fields)
    return {k: formdata.getlist(k)[:20] for k in formdata.keys() if k not in skip}


def save_back(step: steps.Step, draft: Draft, formdata) -> None:
    """Back keeps what was typed, unvalidated; a changed step is no longer complete."""
    raw = raw_values(step, formdata)
    if raw == draft.data.get(step.name):
        return
    with write_transaction():
        draft.data = {**draft.data, step.name: raw}
        draft.done = [name for name in draft.done if name != step.name]
        touch(draft)


def accept(step: steps.Step, draft: Draft, form, formdata) -> None:
    """Save a valid step: raw values for re-display, clean values for submission."""
    clean = CLEANERS[step.name](form, draft)   # may hash: before the write transaction
    old = draft.clean.get(step.name, {})
    with write_transaction():
        if any(old.get(f) != clean.get(f) for f in step.password_context) and old:
            _ask_password_again(draft)
        if step.name == steps.CREDENTIALS and not form.keep_hash:
            draft.password_hash = form.new_hash
        draft.data = {**_without_notice(draft.data, step.name),
                      step.name: raw_values(step, formdata)}
        draft.clean = {**draft.clean, step.name: clean}
        draft.done = [n for n in draft.done if n != step.name] + [step.name]
        touch(draft)


def leave_notice(draft: Draft, step_name: str, code: str, reopen: tuple = ()) -> None:
    """Send the patient back to `step_name` with a message shown there once, and mark
    it and the `reopen` steps incomplete (username taken, practice closed)."""
    with write_transaction():
        draft.done = [n for n in draft.done if n not in (step_name, *reopen)]
        notices = {**draft.data.get("_notice", {}), step_name: code}
        draft.data = {**draft.data, "_notice": notices}


def _without_notice(data: dict, step_name: str) -> dict:
    """A step accepted again no longer shows the notice left for it (username taken)."""
    notices = {k: v for k, v in data.get("_notice", {}).items() if k != step_name}
    rest = {k: v for k, v in data.items() if k != "_notice"}
    return {**rest, "_notice": notices} if notices else rest


def _ask_password_again(draft: Draft) -> None:
    draft.password_hash = None
    draft.done = [n for n in draft.done if n != steps.CREDENTIALS]


def _practice(form, draft):
    return {"practice_id": int(form.practice.data)}


def _personal(form, draft):
    values = {f.name: f.data for f in form if f.name not in CONTROL}
    values["phone"] = form.phone.e164
    values["email"] = form.email.normalized
    values["date_of_birth"] = form.date_of_birth.data.isoformat()
    return values


def _insurance(form, draft):
    if form.is_empty():
        return {}
    return {f.name: f.data or "" for f in form if f.name not in CONTROL}


def _credentials(form, draft):
    values = {"username": policy.normalise_username(form.username.data)}
    if not form.keep_hash:
        form.new_hash = hash_secret(form.password.data)
    return values


def _security(form, draft):
    ctx = form.ctx
    questions, hashes = [], []
    for i, (question, answer) in enumerate(form.slots()):
        questions.append(question.data)
        typed = policy.normalise_answer(answer.data or "")
        hashes.append(hash_secret(typed) if typed else ctx.answer_hashes[i])
    return {"questions": questions, "answer_hashes": hashes}


def _review(form, draft):
    now = utcnow().isoformat()
    return {"terms_version": current_app.config["TERMS_VERSION"], "terms_accepted_at": now,
            "email_consent_at": now}


CLEANERS = {"practice": _practice, "personal": _personal, "insurance": _insurance,
            "credentials": _credentials, "security": _security, "review": _review}
