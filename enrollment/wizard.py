"""What a step does with a valid (or a Back) post: save into the draft (the step cleans
and hashes its values), and keep the rules that cross steps.  Views call these; they
never hash or query."""
import json

import sqlalchemy as sa
from flask import current_app, g
from werkzeug.datastructures import MultiDict

from auth.hashing import verify_secret
from database import write_transaction
from extensions import db

from . import policy, practice_list, steps
from .drafts import touch
from .models import Draft, PatientAccount, Practice, utcnow
from .steps.base import CONTROL

NOTICES = "_notice"   # draft.data's key for the notices left for steps


class DraftTooLarge(ValueError):
    """The draft would hold more than DRAFT_MAX_BYTES: nothing was saved."""


class WizardContext:
    """What a step's rules need to know about the rest of the draft (Step.share)."""

    def __init__(self, draft: Draft | None):
        cfg = current_app.config
        self.draft = draft
        self.limits = policy.Limits(cfg["USERNAME_MIN_LENGTH"], cfg["USERNAME_MAX_LENGTH"],
                                    cfg["PASSWORD_MIN_LENGTH"], cfg["PASSWORD_MAX_LENGTH"])
        self.min_age = cfg["MIN_PATIENT_AGE"]
        facts = steps.shared(draft.clean if draft else {})
        self.practice = _practice(facts.get("practice_id"))
        self.practice_name = self.practice.name if self.practice else ""
        self.name_parts = facts.get("name_parts", ())
        self.saved_username = facts.get("username", "")
        self.has_password = bool(draft and draft.password_hash)
        self.questions = facts.get("questions", [])
        self.answer_hashes = facts.get("answer_hashes", [])
        self.password_reason = password_reason(draft)

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
                and index < len(self.answer_hashes) and bool(self.answer_hashes[index]))


def practice_of(draft: Draft | None) -> Practice | None:
    """The draft's practice (Step.share's "practice_id")."""
    return _practice(steps.shared(draft.clean).get("practice_id") if draft else None)


def _practice(practice_id: int | None) -> Practice | None:
    """Loaded once per request (the session's identity map holds it only while
    something does, and a step asks for it three times)."""
    if not practice_id:
        return None
    loaded = g.setdefault("practices", {})
    if practice_id not in loaded:
        loaded[practice_id] = practice_list.practice(practice_id)
    return loaded[practice_id]


def context(draft: Draft | None) -> WizardContext:
    """The draft's WizardContext, made once per request while the draft's saved values
    and password stay as they were (a step's checks, its form and the next step's form
    ask for it in turn; accepting a step replaces draft.clean, so it is made again)."""
    made = g.get("wizard_context")
    clean = draft.clean if draft is not None else None
    password = draft.password_hash if draft is not None else None
    if made is not None and made[0] is draft and made[1] is clean and made[2] == password:
        return made[3]
    ctx = WizardContext(draft)
    g.wizard_context = (draft, clean, password, ctx)
    return ctx


def make_form(step: steps.Step, draft: Draft | None, formdata=None):
    """The step's form, bound to a post, or (formdata=None on GET) to the draft's values."""
    if formdata is None:
        saved = (draft.data.get(step.name) if draft else None) or {}
        formdata = MultiDict([(k, v) for k, values in saved.items() for v in values])
    form = step.form(formdata=formdata)
    form.ctx = context(draft)
    step.prepare(form)
    return form


def raw_values(step: steps.Step, formdata) -> dict:
    """What was typed, as lists of strings: only the step's own fields (no control
    field, no secret, no key the step does not declare), each value cut to its field's
    longest (what its form accepts), one value a field but for a list of choices."""
    fields = step.field_limits()
    raw = {}
    for name, (longest, many) in fields.items():
        if name in formdata and name not in CONTROL and name not in step.secret_fields:
            values = formdata.getlist(name)[:many]
            raw[name] = [str(v)[:longest] for v in values]
    return raw


def stored_size(data: dict, clean: dict) -> int:
    """A draft's values as stored (JSON, UTF-8), in bytes."""
    return len(json.dumps([data, clean], ensure_ascii=False, separators=(",", ":"),
                          default=str).encode())


def _bounded(data: dict, clean: dict) -> None:
    if stored_size(data, clean) > current_app.config["DRAFT_MAX_BYTES"]:
        raise DraftTooLarge()


def save_back(step: steps.Step, draft: Draft, formdata) -> None:
    """Back keeps what was typed, unvalidated; a changed step is no longer complete."""
    raw = raw_values(step, formdata)
    if raw == draft.data.get(step.name):
        return
    data = {**draft.data, step.name: raw}
    _bounded(data, draft.clean)
    with write_transaction():
        draft.data = data
        draft.done = [name for name in draft.done if name != step.name]
        touch(draft)


def accept(step: steps.Step, draft: Draft, form, formdata, human_checked: bool = False) -> None:
    """Save a valid step: raw values for re-display, clean values for submission (and,
    when the step's human check passed just now, that the draft passed it)."""
    clean = step.clean(form)   # may hash: before the write transaction
    old = draft.clean.get(step.name, {})
    data = {**_without_notice(draft.data, step.name), step.name: raw_values(step, formdata)}
    # What a refused post kept (Step.refused, under "<step>:...") ends with the step.
    cleaned = {**{k: v for k, v in draft.clean.items() if not k.startswith(step.name + ":")},
               step.name: clean}
    if human_checked:   # kept even if what follows is refused: not asked again
        with write_transaction():
            draft.human_checked_at = utcnow()
    again = bool(old) and any(old.get(f) != clean.get(f) for f in step.password_context)
    if again:
        data = _password_notice(data, step)
    _bounded(data, cleaned)
    with write_transaction():
        if again:
            _ask_password_again(draft)
        step.keep(draft, form)
        draft.data = data
        draft.clean = cleaned
        draft.done = [n for n in draft.done if n != step.name] + [step.name]
        touch(draft)


def submission_names(draft: Draft) -> tuple:
    """(practice id, email address) a submission names, for its limits."""
    facts = steps.shared(draft.clean)
    return facts.get("practice_id"), facts.get("email")


def leave_notice(draft: Draft, step_name: str, code: str, reopen: tuple = ()) -> None:
    """Send the patient back to `step_name` with a message shown there once, and mark
    it and the `reopen` steps incomplete (username taken, practice closed)."""
    with write_transaction():
        draft.done = [n for n in draft.done if n not in (step_name, *reopen)]
        notices = {**draft.data.get(NOTICES, {}), step_name: code}
        draft.data = {**draft.data, NOTICES: notices}


def leave_stale_notices(draft: Draft | None, current: steps.Step) -> None:
    """A step whose saved values no longer hold (Step.stale: its practice closed) is
    incomplete again, with a notice, unless it is the one being shown."""
    if draft is None:
        return
    ctx = context(draft)
    for step in steps.STEPS:
        code = step.stale(ctx) if step is not current else None
        if code:
            leave_notice(draft, step.name, code)


def show_notice(step: steps.Step, draft: Draft | None, form) -> None:
    """The notice left for this step, once: beside its field."""
    code = (draft.data.get(NOTICES, {}) if draft else {}).get(step.name)
    if code:
        step.show_notice(form, code)


def _without_notice(data: dict, step_name: str) -> dict:
    """A step accepted again no longer shows the notice left for it (username taken)."""
    notices = {k: v for k, v in data.get(NOTICES, {}).items() if k != step_name}
    rest = {k: v for k, v in data.items() if k != NOTICES}
    return {**rest, NOTICES: notices} if notices else rest


AGAIN = "again:"   # the notice left on the password's step: "again:<the step changed>"


def _password_notice(data: dict, changed: steps.Step) -> dict:
    """The draft's values with a notice for the step that holds the password: `changed`
    changed what the password is checked against (Step.password_again says so)."""
    holders = {step.name: AGAIN + changed.name for step in steps.STEPS if step.holds_password}
    return {**data, NOTICES: {**data.get(NOTICES, {}), **holders}}


def password_reason(draft: Draft | None):
    """Why the password is asked again (one sentence, the changed step's
    `password_again`), or None."""
    for code in (draft.data.get(NOTICES, {}) if draft else {}).values():
        changed = steps.get(code[len(AGAIN):]) if code.startswith(AGAIN) else None
        if changed is not None and changed.password_again:
            return changed.password_again
    return None


def _ask_password_again(draft: Draft) -> None:
    draft.password_hash = None
    holders = {step.name for step in steps.STEPS if step.holds_password}
    draft.done = [n for n in draft.done if n not in holders]
