"""Reject as a duplicate in one action, from the detail's "Possible duplicates": the
same decisions.reject (one transaction: decision, audit and outbox rows) with the
reason code "duplicate" and an internal note naming the other request."""
from flask import abort, redirect, request, url_for
from flask_login import current_user

from htmx import is_htmx

from . import bp, decisions, queries
from .forms import DecisionForm
from .guard import staff_required
from .routes_request import STATUS, _render

DUPLICATE = "duplicate"


@bp.post("/requests/<int:request_id>/reject-duplicate")
@staff_required
def reject_duplicate(request_id: int):
    if not DecisionForm().validate_on_submit():
        abort(400)
    practice_id = current_user.practice_id
    if queries.get_request(practice_id, request_id) is None:
        abort(404)
    other = queries.get_request(practice_id, request.form.get("of", type=int) or 0)
    if other is None or other.id == request_id:   # never another practice's request
        abort(404)
    outcome = decisions.reject(current_user, request_id, DUPLICATE,
                               f"Duplicate of request #{other.id}")
    if outcome.result == decisions.DONE and not is_htmx():
        return redirect(url_for("admin.detail", request_id=request_id,
                                result="rejected"), 303)
    req = queries.get_request(practice_id, request_id)
    result = "rejected" if outcome.result == decisions.DONE else outcome.result
    return _render(req, result, status=STATUS[outcome.result], block="content")
