"""One request: the detail (audited), approve, reject, reject as a duplicate, ask for
information.  htmx posts update the decision panel and the pending count in place;
without JavaScript they are ordinary forms with redirect-after-post.

`render_detail` is the page (or a block of it) for the other features that answer on
it (admin/appointments)."""
from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from enrollment import steps
from enrollment.codes import DAY_PARTS, RELATIONSHIPS, REJECTION_REASONS, STATUSES, WEEKDAYS
from enrollment.confirmation import approval_allowed
from enrollment.emails import display_phone
from htmx import is_htmx, render

from .. import bp
from ..core import ButtonForm, id_value, staff_required
from . import changes, decisions, duplicates, places, queries
from .forms import EmailForm, NeedsInfoForm, RejectForm

STATUS = {decisions.DONE: 200, decisions.LOST: 409, decisions.UNCONFIRMED: 409,
          decisions.BAD_REASON: 422, decisions.BAD_INFO: 422, decisions.WAITING: 409}
RESULTS = ("approved", "rejected", "needs_info", "link_sent", "email_corrected")
DUPLICATE = "duplicate"


def _messages(result: str) -> str | None:
    return {
        "approved": _("Approved. The patient's account is active and the email is on "
                      "its way."),
        "rejected": _("Rejected. The patient is told the reason by email; the username "
                      "is free again."),
        "needs_info": _("Sent. The patient is emailed that there is a message and reads "
                        "it after signing in."),
        "link_sent": _("A new confirmation link is on its way to the patient."),
        "email_corrected": _("Email address corrected. Every link sent before no longer "
                             "works; a new one is on its way to the new address."),
        decisions.LOST: _("This request was already decided. Here is what "
                          "happened."),
        decisions.WAITING: _("This request waits for the patient's answer: it can be "
                             "approved once they send it back, or rejected now."),
        decisions.UNCONFIRMED: _("This request cannot be approved yet: the patient has "
                                 "not confirmed their email address."),
    }.get(result)


def _place() -> places.Place:
    """The list the request was opened from: the last one this staff member saw."""
    return places.current()


def _next_pending(req, place: places.Place) -> str | None:
    """The address of the next pending request of `place` (None at the end)."""
    from .routes import rerun
    found = places.next_pending(current_user.practice_id, place, req, rerun)
    # To its heading: the browser scrolls past the navigation and the next Tab reaches
    # the decision's first button (the summary has no links), with no script.
    return None if found is None else url_for("admin.detail", request_id=found,
                                              _anchor="page-heading")


def render_detail(req, result: str | None = None, reject_form=None, status: int = 200,
                  block: str = "decision", needs_form=None, found=None, message=None,
                  email_form=None):
    """The request's page (`block` of it for htmx), with `result` said at the top;
    `found`: its possible duplicates when the caller has them already.  The page
    offers the next pending request of the list it came from (after the decision;
    before it, as a way to skip this one)."""
    codes = decisions.reasons_for(req.practice)
    place = _place()
    ctx = {"place": place, "back_url": place.back_url(),
           "next_url": _next_pending(req, place), "changes": changes.latest(req),
           "req": req, "decision": queries.decision_of(req.id), "result": result,
           "message": message or (_messages(result) if result else None),
           "email_form": email_form or EmailForm(formdata=None),
           "approve_form": ButtonForm(), "reject_form": reject_form or RejectForm(
               formdata=None).offer(codes),
           "needs_form": needs_form or NeedsInfoForm(formdata=None),
           "asks": decisions.info_requests(req.id), "sections": _section_titles(),
           "can_approve": approval_allowed(req), "statuses": STATUSES,
           "reasons": REJECTION_REASONS, "relationships": RELATIONSHIPS,
           "weekdays": WEEKDAYS, "day_parts": DAY_PARTS, "phone": display_phone,
           "heading": _("Request #%(id)d", id=req.id) if req.purged_at else
           f"{req.first_name} {req.last_name}",
           "duplicates": duplicates.find(req, display_phone) if found is None else found,
           "duplicate_offered": DUPLICATE in codes}
    return render("admin/detail.html", block, status=status, **ctx)


def _section_titles() -> dict:
    return {step.name: step.title for step in steps.correctable()}


@bp.get("/requests/<int:request_id>")
@staff_required
def detail(request_id: int):
    """Writes an audit row (with the possible duplicates it shows): the one deliberate
    exception to 'GET changes nothing'."""
    req = queries.get_request(current_user.practice_id, request_id)
    if req is None:
        abort(404)
    found = duplicates.find(req, display_phone)
    decisions.record_view(current_user, req, [c.request.id for c in found])
    result = request.args.get("result")
    return render_detail(req, result if result in RESULTS else None, found=found)


def _after(outcome, done: str, reject_form=None, needs_form=None):
    if outcome.result == decisions.DONE and not is_htmx():
        return redirect(url_for("admin.detail", request_id=outcome.request.id,
                                result=done), 303)
    req = queries.get_request(current_user.practice_id, outcome.request.id)
    result = done if outcome.result == decisions.DONE else outcome.result
    return render_detail(req, result, reject_form, STATUS[outcome.result],
                   needs_form=needs_form)


def _row(outcome):
    """An approval from the queue: htmx gets the row again (and the count out of band);
    without JavaScript, redirect-after-post back to the queue."""
    place = _place()
    if not is_htmx():
        return redirect(place.back_url(), 303)
    req = queries.get_request(current_user.practice_id, outcome.request.id)
    result = "approved" if outcome.result == decisions.DONE else outcome.result
    return render("admin/row.html", "row", status=STATUS[outcome.result], r=req,
                  statuses=STATUSES, message=_messages(result))


@bp.post("/requests/<int:request_id>/approve")
@staff_required
def approve(request_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    outcome = decisions.approve(current_user, request_id)
    if request.form.get("view") == "row":
        return _row(outcome)
    return _after(outcome, "approved")


@bp.post("/requests/<int:request_id>/reject")
@staff_required
def reject(request_id: int):
    req = queries.get_request(current_user.practice_id, request_id)
    if req is None:
        abort(404)
    form = RejectForm().offer(decisions.reasons_for(req.practice))
    if not form.validate_on_submit():
        return render_detail(req, None, form, 422)
    outcome = decisions.reject(current_user, request_id, form.reason.data, form.note.data)
    return _after(outcome, "rejected", form)


@bp.post("/requests/<int:request_id>/needs-info")
@staff_required
def needs_info(request_id: int):
    """Ask the patient for information: a message they read once signed in (never
    emailed) and the sections they may correct."""
    req = queries.get_request(current_user.practice_id, request_id)
    if req is None:
        abort(404)
    form = NeedsInfoForm()
    if not form.validate_on_submit():
        return render_detail(req, None, status=422, needs_form=form)
    outcome = decisions.ask_for_information(current_user, request_id, form.message.data,
                                            form.sections.data)
    return _after(outcome, "needs_info", needs_form=form)


@bp.post("/requests/<int:request_id>/reject-duplicate")
@staff_required
def reject_duplicate(request_id: int):
    """Reject as a duplicate in one action, from the detail's "Possible duplicates": the
    same decisions.reject with the reason code "duplicate" and an internal note naming
    the other request."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    practice_id = current_user.practice_id
    if queries.get_request(practice_id, request_id) is None:
        abort(404)
    other = queries.get_request(practice_id, id_value(request.form.get("of")) or 0)
    if other is None or other.id == request_id:   # never another practice's request
        abort(404)
    outcome = decisions.reject(current_user, request_id, DUPLICATE,
                               f"Duplicate of request #{other.id}")
    if outcome.result == decisions.DONE and not is_htmx():
        return redirect(url_for("admin.detail", request_id=request_id,
                                result="rejected"), 303)
    req = queries.get_request(practice_id, request_id)
    result = "rejected" if outcome.result == decisions.DONE else outcome.result
    return render_detail(req, result, status=STATUS[outcome.result], block="content")
