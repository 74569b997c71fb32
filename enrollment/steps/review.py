"""Review and submit: every earlier step's rows with an Edit link, then consent.  The
final step: accepting it submits the enrollment (or first asks for an appointment when
the practice's module is on)."""
from datetime import datetime

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import DataRequired

from ..forms import StepForm
from ..models import utcnow
from .base import Step


class ReviewForm(StepForm):
    # DataRequired: a tampered "terms=false" is a box left unticked, not consent.
    terms = BooleanField(_l("I agree to the practice's terms of use and privacy notice."),
                         validators=[DataRequired(message=_l(
                             "Agree to the terms of use and privacy notice to continue."))])
    email_contact = BooleanField(_l("The practice may contact me by email about this "
                                    "request and my account."),
                                 validators=[DataRequired(message=_l(
                                     "Agree to email contact: it is how we tell you "
                                     "the practice approved your request."))])


def terms_of(practice) -> tuple[str, str]:
    """(URL, version) of the terms of use and privacy notice: the practice's own, else
    the built-in page's."""
    if practice is not None and practice.terms_url:
        return practice.terms_url, practice.terms_version
    return url_for("home.terms"), current_app.config["TERMS_VERSION"]


class ReviewStep(Step):
    form = ReviewForm
    final = True

    def clean(self, form) -> dict:
        """The consent, with the URL and version of the terms the page linked to."""
        now = utcnow().isoformat()
        url, version = terms_of(form.ctx.practice)
        return {"terms_version": version, "terms_url": url,
                "terms_accepted_at": now, "email_consent_at": now}

    def page_context(self, draft, ctx) -> dict:
        from . import review_sections   # the package lists the steps this one reviews
        url, version = terms_of(ctx.practice)
        return {"review_sections": review_sections(draft, ctx), "terms_url": url,
                "terms_version": version}

    def write(self, values: dict, into) -> None:
        into.request.terms_version = values["terms_version"]
        into.request.terms_url = values.get("terms_url", "")   # drafts from before: none
        into.request.terms_accepted_at = datetime.fromisoformat(values["terms_accepted_at"])
        into.request.email_consent_at = datetime.fromisoformat(values["email_consent_at"])
