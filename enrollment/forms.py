"""The base of every step's form.  Each step's own form lives with its step
(enrollment/steps/<name>.py); cross-step rules read `form.ctx` (a WizardContext)."""
from flask_wtf import FlaskForm


class StepForm(FlaskForm):
    ctx = None  # set by the wizard: the draft, its practice and the policy limits

    # Flask-WTF translates WTForms' own messages into the page's language
    # (WTF_I18N_ENABLED, config.py); Meta.locales does not apply to a FlaskForm.
