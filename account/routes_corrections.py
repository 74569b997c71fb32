"""The "needs information" loop, patient side: correct an opened section, send the
request back.  Thin views over account/corrections.py."""
from flask import abort, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from htmx import advance, render

from . import bp, corrections
from .guard import patient_required
from .routes import status_page


def _opened(name: str):
    """The question and the step, or 404: only opened sections of a request that is
    with the patient can be corrected."""
    ask = corrections.open_request(g.enrollment)
    step = corrections.section(ask, name)
    if step is None:
        abort(404)
    return ask, step


@bp.route("/status/correct/<name>", methods=["GET", "POST"])
@patient_required
def correct(name: str):
    ask, step = _opened(name)
    req = g.enrollment
    form = corrections.form_for(step, current_user, req,
                                request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        if not corrections.save(step, req, form):
            return redirect(url_for("account.status"), 303)
        url = url_for("account.status", saved=step.name)
        return advance(url, lambda: status_page(saved=step.name))
    status = 422 if request.method == "POST" else 200
    return render("account/correct.html", "content", status=status, form=form, step=step,
                  ask=ask, heading=_("Correct: %(section)s", section=step.title))


@bp.post("/status/resubmit")
@patient_required
def resubmit():
    if g.enrollment is None or not corrections.resubmit(g.enrollment):
        return status_page(_("Your request is no longer waiting for your answer."), 409)
    url = url_for("account.status", sent=1)
    return advance(url, lambda: status_page(sent=True))
