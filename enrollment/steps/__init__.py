"""THE FLOW: the ordered steps of the wizard.  Routes, the step indicator, the review
page, submission, corrections and "next step" read STEPS and never a step's name.

Adding a step: a form (and a Step subclass only where the defaults do not fit, see
base.py), a template enrollment/<name>.html, and one line below.  README: "Adding a step".
"""
from flask_babel import lazy_gettext as _l

from .base import Step, Submission
from .credentials import CredentialsStep
from .insurance import InsuranceStep
from .personal import PersonalStep
from .practice import PracticeStep
from .review import ReviewStep
from .security import SecurityStep

__all__ = ["STEPS", "Step", "Submission"]

STEPS = (
    PracticeStep("practice", _l("Practice")),
    PersonalStep("personal", _l("Personal information")),
    InsuranceStep("insurance", _l("Insurance information"), human_check=True),
    CredentialsStep("credentials", _l("Account credentials")),
    SecurityStep("security", _l("Security questions")),
    ReviewStep("review", _l("Review and submit")),
)


# Every helper reads STEPS when called (a test may put another flow in its place).

def get(name: str) -> Step | None:
    return next((step for step in STEPS if step.name == name), None)


def number(step: Step) -> int:
    return STEPS.index(step) + 1


def after(step: Step) -> Step | None:
    i = STEPS.index(step)
    return STEPS[i + 1] if i + 1 < len(STEPS) else None


def before(step: Step) -> Step | None:
    i = STEPS.index(step)
    return STEPS[i - 1] if i > 0 else None


def final() -> Step:
    """The step that finishes the enrollment (review and submit)."""
    return next(step for step in STEPS if step.final)


def first_incomplete(done) -> Step | None:
    return next((step for step in STEPS if step.name not in done), None)


def reachable(step: Step, done) -> bool:
    """A step can be shown once every step before it is complete."""
    return all(s.name in done for s in STEPS[:STEPS.index(step)])


def correctable() -> tuple:
    """The steps staff can open for correction, in the wizard's order."""
    return tuple(step for step in STEPS if step.correctable)


def shared(clean: dict) -> dict:
    """What the saved steps tell the rules of the others (Step.share)."""
    facts = {}
    for step in STEPS:
        facts.update(step.share(clean.get(step.name) or {}))
    return facts


def review_sections(draft, ctx) -> list:
    """(step, rows) for the review page: every step before the final one."""
    return [(step, step.review_rows(draft.clean.get(step.name) or {}, ctx))
            for step in STEPS if not step.final]


def stored_sections(req) -> list:
    """(title, rows) of the steps kept in the request's generic `step_values`, for the
    staff's request page; a step no longer in the flow shows its name and raw values."""
    stored = req.step_values
    sections = [(step.title, step.review_rows(stored[step.name], None))
                for step in STEPS if step.name in stored]
    known = {step.name for step in STEPS}
    sections += [(name, list(values.items())) for name, values in stored.items()
                 if name not in known]
    return sections
