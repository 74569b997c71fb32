"""The wizard's side doors: resume after a closed browser, start over, live checks."""
from flask import g, make_response, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired

from htmx import client_redirect, render

from . import bp, drafts, human_check, limits, steps, wizard
from .fields import DateOfBirthField
from .codes import policy_message
from .steps.credentials import CredentialsForm


class ResumeForm(FlaskForm):
    date_of_birth = DateOfBirthField(_l("Date of birth"), render_kw={"autocomplete": "off"},
                                     validators=[InputRequired()])   # not "(optional)"


@bp.route("/resume", methods=["GET", "POST"])
@limits.step_posts
def resume():
    """A returning browser proves it is the same patient before seeing the draft."""
    if g.draft is None or not drafts.holds_personal(g.draft):
        return client_redirect(url_for("enrollment.start"))
    form = ResumeForm()
    if request.method == "GET":
        return render("enrollment/resume.html", "step", form=form, step=None, steps=steps)
    outcome = drafts.check_birth_date(g.draft, form.date_of_birth.data)
    if outcome == "ok":
        g.mark_visit = True
        return client_redirect(url_for("enrollment.start"))
    if outcome == "erased":
        g.draft, g.forget = None, True
        return render("enrollment/erased.html", "step", status=403, step=None, steps=steps,
                      reason="tries")
    left = drafts.tries_left(g.draft)
    form.date_of_birth.errors = [_("That date of birth does not match. %(n)d tries left "
                                   "before the saved information is erased.", n=left)]
    return render("enrollment/resume.html", "step", status=422, form=form, step=None,
                  steps=steps)


@bp.route("/start-over", methods=["GET", "POST"])
@limits.step_posts
def start_over():
    """A page that asks, and a POST that erases the draft and its cookies."""
    if request.method == "GET":
        return render("enrollment/start_over.html", "step", form=FlaskForm(), step=None,
                      steps=steps)
    if g.draft is not None:
        drafts.erase(g.draft)
    g.draft, g.forget = None, True
    return render("enrollment/erased.html", "step", step=None, steps=steps, reason="asked")


@bp.post("/check/<field>")
def check(field: str):
    """Live policy check of one credentials field, posted (never a GET) while typing.

    It answers nothing (an empty fragment: the live region stays empty and the step's
    own post decides) for a username outside a draft that passed the human check, and
    nothing (429) over LIVE_CHECK_LIMIT per client or LIVE_CHECKS_PER_DRAFT.  The
    password check runs the policy only: no argon2."""
    if field not in ("username", "password"):
        return make_response(_("Unknown field."), 404)
    if field == "username" and (g.draft is None or not human_check.passed(g.draft)):
        return make_response("")
    if not limits.live_check_allowed(g.draft.id if field == "username" else None):
        return make_response("", 429)
    form = CredentialsForm(formdata=request.form)
    form.ctx = wizard.WizardContext(g.draft)
    problems = form.username_problems() if field == "username" else form.password_problems()
    if (field == "password" and not request.form.get("password")) or (
            field == "username" and not request.form.get("username")):
        return make_response("")
    message = policy_message(*problems[0]) if problems else None
    return render_template("enrollment/_live.html", field=field, problem=message)
