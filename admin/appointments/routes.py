"""Appointment requests: their queue, and approve / decline / approve-both from the
enrollment's detail page.  htmx posts replace the appointment panel in place (with the
pending counts out of band); without JavaScript they are ordinary forms with
redirect-after-post, and a refused form comes back on the whole detail page."""
from flask import abort, current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import audit
from auth.clock import to_utc, utcnow
from enrollment.codes import (APPOINTMENT_DECLINE_REASONS, APPOINTMENT_STATUSES, APPROVED,
                              DAY_PARTS, DECLINED, PENDING, STATUSES, WEEKDAYS)
from enrollment.confirmation import approval_allowed
from htmx import is_htmx, render, reswap, retarget

from .. import bp
from ..core import page_number, staff_required
from ..requests.queries import get_request
from ..requests.routes_detail import render_detail
from . import decisions as appointments, queries
from .both import approve_both as decide_both
from .decisions import LOST, NEEDS_ENROLLMENT, UNCONFIRMED, Slot
from .forms import ApproveAppointmentForm, DeclineAppointmentForm

FILTERS = (PENDING, APPROVED, DECLINED)
STATUS = {appointments.DONE: 200, LOST: 409, NEEDS_ENROLLMENT: 409, UNCONFIRMED: 409}


def _messages(result: str) -> str | None:
    return {
        APPROVED: _("Appointment confirmed. The patient is emailed the date and time."),
        DECLINED: _("Appointment declined. The patient is told the reason by email."),
        LOST: _("This appointment request was already decided. Here is what happened."),
        NEEDS_ENROLLMENT: _("The appointment can be confirmed only once the enrollment "
                            "is approved."),
        UNCONFIRMED: _("The enrollment cannot be approved yet: the patient has not "
                       "confirmed their email address."),
    }.get(result)


def panel(req, result=None, approve_form=None, decline_form=None) -> dict:
    """What the appointment panel of a request shows (template global too)."""
    override = g.get("appointment_panel")
    if override is not None and override["appt"].id == req.appointment.id:
        return override
    appt, practice = req.appointment, req.practice
    if result is None and request.endpoint == "admin.detail":
        result = request.args.get("appointment")
        result = result if result in (APPROVED, DECLINED) else None
    return {"appt": appt, "req": req, "decision": queries.decision_of(appt.id),
            "message": _messages(result) if result else None, "zone": practice.timezone,
            "approve_form": approve_form or ApproveAppointmentForm(formdata=None).offer(
                practice, appt),
            "decline_form": decline_form or DeclineAppointmentForm(formdata=None).offer(
                appointments.STAFF_REASONS),
            "can_both": req.status == PENDING and approval_allowed(req),
            "statuses": APPOINTMENT_STATUSES, "reasons": APPOINTMENT_DECLINE_REASONS,
            "weekdays": WEEKDAYS, "day_parts": DAY_PARTS}


@bp.app_template_global("appointment_panel")
def _panel_global(req) -> dict:
    return panel(req)


@bp.app_template_global("appointments_pending")
def _pending() -> int:
    """The nav's count, once per request, only where a template asks for it."""
    if "appointments_pending" not in g:
        g.appointments_pending = queries.pending_count(current_user.practice_id)
    return g.appointments_pending


@bp.get("/appointments")
@staff_required
def appointments_queue():
    status = request.args.get("status", PENDING)
    status = status if status in FILTERS else PENDING
    number = page_number()
    page = queries.queue(current_user.practice_id, status, number,
                              current_app.config["ADMIN_PAGE_SIZE"])
    if page.rows:   # names and preferences of patients: the enrollments' ids listed
        audit.shown(current_user, audit.APPTS_VIEWED, status=status, page=page.number,
                    ids=[a.enrollment_id for a, _ in page.rows])
    return render("admin/appointments.html", "content", page=page, shown=status,
                  filters=FILTERS, statuses=APPOINTMENT_STATUSES,
                  enrollment_statuses=STATUSES, reasons=APPOINTMENT_DECLINE_REASONS,
                  weekdays=WEEKDAYS, day_parts=DAY_PARTS,
                  zone=current_user.practice.timezone, heading=_("Appointment requests"))


def _respond(req, result=None, status=200, **forms):
    """htmx: the panel in place; a browser: the whole detail page."""
    g.appointment_panel = panel(req, result, **forms)
    if is_htmx():
        return render("admin/appointment_panel.html", "panel", status=status,
                      p=g.appointment_panel)
    return render_detail(req, status=status)


def _after(result: str, request_id: int, done: str):
    if result == appointments.DONE and not is_htmx():
        return redirect(url_for("admin.detail", request_id=request_id, appointment=done)
                        + "#appointment-decision", 303)
    req = get_request(current_user.practice_id, request_id)
    return _respond(req, done if result == appointments.DONE else result, STATUS[result])


def _slot(form: ApproveAppointmentForm, practice) -> Slot | None:
    """The form's time in the practice's zone as UTC, or None with the errors set."""
    if not form.validate_on_submit():
        return None
    starts_at = to_utc(form.day_value, form.time_value, practice.timezone)
    if starts_at is None:
        form.appt_clock.errors.append(_("That time does not exist on that day in "
                                        "%(zone)s (the clocks go forward).",
                                        zone=practice.timezone))
        return None
    if starts_at <= utcnow():
        form.appt_clock.errors.append(_("Choose a date and time in the future."))
        return None
    provider, location = form.chosen(practice)
    return Slot(starts_at, practice.timezone, provider, location)


def _appointment_request(appointment_id: int):
    appt = queries.get(current_user.practice_id, appointment_id)
    if appt is None:
        abort(404)
    return get_request(current_user.practice_id, appt.enrollment_id)


@bp.post("/appointments/<int:appointment_id>/approve")
@staff_required
def approve_appointment(appointment_id: int):
    req = _appointment_request(appointment_id)
    form = ApproveAppointmentForm().offer(req.practice)
    slot = _slot(form, req.practice)
    if slot is None:
        return _respond(req, status=422, approve_form=form)
    outcome = appointments.approve(current_user, appointment_id, slot)
    return _after(outcome.result, req.id, APPROVED)


@bp.post("/appointments/<int:appointment_id>/decline")
@staff_required
def decline_appointment(appointment_id: int):
    req = _appointment_request(appointment_id)
    form = DeclineAppointmentForm().offer(appointments.STAFF_REASONS)
    if not form.validate_on_submit():
        return _respond(req, status=422, decline_form=form)
    outcome = appointments.decline(current_user, appointment_id, form.decline_reason.data,
                                   form.decline_note.data)
    return _after(outcome.result, req.id, DECLINED)


@bp.post("/requests/<int:request_id>/approve-both")
@staff_required
def approve_both(request_id: int):
    req = get_request(current_user.practice_id, request_id)
    if req is None or req.appointment is None:
        abort(404)
    form = ApproveAppointmentForm().offer(req.practice)
    slot = _slot(form, req.practice)
    if slot is None:
        return _respond(req, status=422, approve_form=form)
    result = decide_both(current_user, request_id, slot)
    if result != appointments.DONE:
        return _after(result, request_id, APPROVED)
    if not is_htmx():
        return redirect(url_for("admin.detail", request_id=request_id, result="approved",
                                appointment=APPROVED) + "#appointment-decision", 303)
    # htmx: the enrollment's decision panel, which carries this one out of band.
    req = get_request(current_user.practice_id, request_id)
    g.appointment_panel = panel(req, APPROVED)
    return reswap(retarget(render_detail(req, "approved"), "#decision"), "innerHTML")
