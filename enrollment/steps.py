"""THE FLOW: the ordered steps of the wizard.  Routes, the step indicator, the review
page and "next step" all read this list; adding or reordering a step is an edit here
and a template, nothing else."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .forms import InsuranceForm, PersonalForm, PracticeForm
from .forms_account import QUESTION_COUNT, CredentialsForm, ReviewForm, SecurityForm


@dataclass(frozen=True)
class Step:
    name: str
    title: object
    form: type
    optional: bool = False
    # The "I'm not a robot" check belongs on this step (issue 3 fills it in).
    human_check: bool = False
    # Never saved in the draft (not even on Back), never filled back in from it.
    secret_fields: tuple = ()
    # Fields the password is checked against: changing one asks for the password again.
    password_context: tuple = ()
    # Staff may ask the patient to correct this section after submission ("needs
    # information"); account/corrections.py shows its form again.
    correctable: bool = False

    @property
    def template(self) -> str:
        return f"enrollment/{self.name}.html"


ANSWERS = tuple(f"answer_{i}" for i in range(1, QUESTION_COUNT + 1))

STEPS = (
    Step("practice", _l("Practice"), PracticeForm, password_context=("practice_id",)),
    Step("personal", _l("Personal information"), PersonalForm,
         password_context=("first_name", "middle_name", "last_name"), correctable=True),
    Step("insurance", _l("Insurance information"), InsuranceForm, optional=True,
         human_check=True, correctable=True),
    Step("credentials", _l("Account credentials"), CredentialsForm,
         secret_fields=("password", "confirm")),
    Step("security", _l("Security questions"), SecurityForm, secret_fields=ANSWERS),
    Step("review", _l("Review and submit"), ReviewForm),
)
BY_NAME = {step.name: step for step in STEPS}
CREDENTIALS = "credentials"


def correctable() -> tuple:
    """The sections staff can open for correction, in the wizard's order."""
    return tuple(step for step in STEPS if step.correctable)


def get(name: str) -> Step | None:
    return BY_NAME.get(name)


def number(step: Step) -> int:
    return STEPS.index(step) + 1


def after(step: Step) -> Step | None:
    i = STEPS.index(step)
    return STEPS[i + 1] if i + 1 < len(STEPS) else None


def before(step: Step) -> Step | None:
    i = STEPS.index(step)
    return STEPS[i - 1] if i > 0 else None


def first_incomplete(done) -> Step | None:
    return next((step for step in STEPS if step.name not in done), None)


def reachable(step: Step, done) -> bool:
    """A step can be shown once every step before it is complete."""
    return all(s.name in done for s in STEPS[:STEPS.index(step)])
