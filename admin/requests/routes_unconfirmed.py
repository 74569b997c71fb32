"""A request waiting for the patient's email confirmation: send the link again (from
the queue's row or the request's page), correct a mistyped address (the request's
page).  Thin views over admin/requests/unconfirmed.py."""
from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from enrollment.codes import STATUSES
from htmx import is_htmx, render

from .. import bp
from ..core import ButtonForm, staff_required
from . import places, queries, unconfirmed
from .forms import EmailForm
from .routes_detail import render_detail

MESSAGES = {
    unconfirmed.SENT: lambda: _("A new confirmation link is on its way to the patient; "
                                "the one sent before no longer works."),
    unconfirmed.WAIT: lambda: _("A link was sent less than a minute ago, or five in the "
                                "last hour: wait before sending another."),
    unconfirmed.CONFIRMED: lambda: _("The patient has confirmed the address already."),
    unconfirmed.CLOSED: lambda: _("This request was decided: no link is sent."),
    unconfirmed.CORRECTED: lambda: _("Email address corrected. Every link sent before no "
                                     "longer works; a new one is on its way to the new "
                                     "address."),
    unconfirmed.SAME: lambda: _("That is the address the request has already."),
}
STATUS = {unconfirmed.SENT: 200, unconfirmed.CORRECTED: 200, unconfirmed.SAME: 422,
          unconfirmed.WAIT: 429, unconfirmed.CONFIRMED: 409, unconfirmed.CLOSED: 409}


def _request_or_404(request_id: int):
    req = queries.get_request(current_user.practice_id, request_id)
    if req is None:
        abort(404)
    return req


@bp.post("/requests/<int:request_id>/resend-link")
@staff_required
def resend_link(request_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    req = _request_or_404(request_id)
    result = unconfirmed.resend_link(current_user, req)
    req = queries.get_request(current_user.practice_id, request_id)
    if request.form.get("view") == "row":
        if not is_htmx():
            return redirect(places.current().back_url(), 303)
        return render("admin/row.html", "row", status=STATUS[result], r=req,
                      statuses=STATUSES, message=MESSAGES[result]())
    if not is_htmx() and result == unconfirmed.SENT:
        return redirect(url_for("admin.detail", request_id=request_id, result="link_sent"),
                        303)
    return render_detail(req, status=STATUS[result], message=MESSAGES[result]())


@bp.post("/requests/<int:request_id>/email")
@staff_required
def correct_email(request_id: int):
    req = _request_or_404(request_id)
    form = EmailForm()
    if not form.validate_on_submit():
        return render_detail(req, status=422, email_form=form)
    result = unconfirmed.correct_email(current_user, req, form.email.data)
    if not is_htmx() and result == unconfirmed.CORRECTED:
        return redirect(url_for("admin.detail", request_id=request_id,
                                result="email_corrected"), 303)
    req = queries.get_request(current_user.practice_id, request_id)
    return render_detail(req, status=STATUS[result], message=MESSAGES[result](),
                         email_form=form)
