"""Five security questions, each different, with five different answers (none the
username or the password).  The answers are normalised and hashed the moment the step
is accepted; an answer left blank keeps the saved one for the same question.  The
account page (account/questions.py) uses the same form and `answers_of`."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from auth.hashing import hash_secret
from database import write_transaction

from .. import policy
from ..codes import SECURITY_QUESTIONS, choices
from ..fields import Needed, text
from ..forms import StepForm
from ..models import SecurityAnswer
from .base import Step

QUESTION_COUNT = 5
ANSWERS = tuple(f"answer_{i}" for i in range(1, QUESTION_COUNT + 1))


class SecurityForm(StepForm):
    def slots(self):
        return [(self[f"question_{i}"], self[f"answer_{i}"]) for i in range(1, QUESTION_COUNT + 1)]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        seen_questions, seen_answers = set(), set()
        for i, (question, answer) in enumerate(self.slots()):
            if question.data not in SECURITY_QUESTIONS:
                question.errors.append(str(_l("Choose a question from the list.")))
            elif question.data in seen_questions:
                question.errors.append(str(_l("Choose a different question for each answer.")))
            seen_questions.add(question.data)
            typed = policy.normalise_answer(answer.data or "")
            if not typed:
                if not self.ctx.can_keep_answer(i, question.data):
                    answer.errors.append(str(_l("Enter an answer.")))
                continue
            if len(typed) < 3:
                answer.errors.append(str(_l("Use at least 3 characters for each answer.")))
            elif typed in seen_answers:
                answer.errors.append(str(_l("Use a different answer for each question.")))
            elif typed == self.ctx.saved_username or self.ctx.is_password(answer.data.strip()):
                answer.errors.append(str(_l("An answer must not be your username or password.")))
            seen_answers.add(typed)
        return ok and not any(q.errors or a.errors for q, a in self.slots())


for _i in range(1, QUESTION_COUNT + 1):
    setattr(SecurityForm, f"question_{_i}", SelectField(
        _l("Security question %(n)d", n=_i), validate_choice=False,
        validators=[Optional(), Needed()],
        choices=choices(SECURITY_QUESTIONS, _l("Choose a question"))))
    # Needed: all five are required; one left blank keeps the answer saved before.
    # Masked like a password (a "Show" button with JavaScript: static/js/portal.js).
    setattr(SecurityForm, f"answer_{_i}", text(_l("Answer %(n)d", n=_i), 100,
                                               autocomplete="off", type="password",
                                               needed=True))


def answers_of(form: SecurityForm) -> dict:
    """The questions and the answers' hashes (a blank answer keeps the saved hash)."""
    questions, hashes = [], []
    for i, (question, answer) in enumerate(form.slots()):
        questions.append(question.data)
        typed = policy.normalise_answer(answer.data or "")
        hashes.append(hash_secret(typed) if typed else form.ctx.answer_hashes[i])
    return {"questions": questions, "answer_hashes": hashes}


def forget_answers(form: SecurityForm) -> None:
    """What was typed is never shown back: the answer fields render empty."""
    for _question, answer in form.slots():
        answer.data, answer.raw_data = "", []


class SecurityStep(Step):
    """A refused post keeps each answer that was valid, hashed, in the draft (under
    "security:kept", dropped when the step is accepted): its field shows empty and says
    "leave blank to keep", as the account page does for saved answers."""
    form = SecurityForm
    secret_fields = ANSWERS
    KEPT = "security:kept"

    def prepare(self, form) -> None:
        """The answers a refused post kept count as given (over the saved ones)."""
        draft = form.ctx.draft
        kept = (draft.clean.get(self.KEPT) if draft is not None else None) or {}
        if not kept:
            return
        questions = list(form.ctx.questions) + [""] * QUESTION_COUNT
        hashes = list(form.ctx.answer_hashes) + [""] * QUESTION_COUNT
        for i, (question, hashed) in enumerate(zip(kept["questions"], kept["answer_hashes"])):
            if hashed:
                questions[i], hashes[i] = question, hashed
        form.ctx.questions = questions[:QUESTION_COUNT]
        form.ctx.answer_hashes = hashes[:QUESTION_COUNT]

    def refused(self, draft, form, validated: bool = True) -> None:
        if validated and draft is not None:
            questions, hashes = [""] * QUESTION_COUNT, [""] * QUESTION_COUNT
            for i, (question, answer) in enumerate(form.slots()):
                if form.ctx.can_keep_answer(i, question.data):
                    questions[i], hashes[i] = question.data, form.ctx.answer_hashes[i]
                typed = policy.normalise_answer(answer.data or "")
                if typed and not answer.errors and not question.errors:
                    questions[i], hashes[i] = question.data, hash_secret(typed)
            kept = {"questions": questions, "answer_hashes": hashes}
            form.ctx.questions, form.ctx.answer_hashes = questions, hashes   # the page
            if any(hashes) and draft.clean.get(self.KEPT) != kept:
                with write_transaction():
                    draft.clean = {**draft.clean, self.KEPT: kept}
        forget_answers(form)

    def clean(self, form) -> dict:
        return answers_of(form)

    def share(self, values: dict) -> dict:
        return {"questions": values.get("questions", []),
                "answer_hashes": values.get("answer_hashes", [])}

    def review_rows(self, values: dict, ctx) -> list:
        return [(_l("Question %(n)d", n=i + 1), SECURITY_QUESTIONS.get(q, ""))
                for i, q in enumerate(values.get("questions", []))]

    def write(self, values: dict, into) -> None:
        into.account.answers = [
            SecurityAnswer(position=i, question=q, answer_hash=h)
            for i, (q, h) in enumerate(zip(values["questions"], values["answer_hashes"]))]
