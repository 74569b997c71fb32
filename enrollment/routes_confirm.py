"""The email-confirmation pages.  A link opens a page with a button; only the POST uses
the token (mail scanners open links before people do).  Its own blueprint
("confirm_email"), so the wizard's draft checks never stand between a patient and the
link; plus the done page's "Send a new link" on the wizard's blueprint."""
from flask import Blueprint, g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError

from auth.tokens import digest
from extensions import db
from htmx import client_redirect, render
from rate_limits import note_retry_in

from . import bp, limits
from . import confirmation as c
from .emails import display_phone
from .models import EnrollmentRequest

confirm_bp = Blueprint("confirm_email", __name__, url_prefix="/enroll/confirm")

STATUS = {c.VALID: 200, c.CONFIRMED: 200, c.USED: 410, c.EXPIRED: 410, c.UNKNOWN: 404,
          c.CHANGED: 410, c.SENT: 200, c.WAIT: 429, c.CLOSED: 409}
HEADINGS = {
    c.VALID: _l("Confirm your email address"),
    c.CONFIRMED: _l("Your email address is confirmed"),
    c.USED: _l("This link has already been used"),
    c.EXPIRED: _l("This link has expired"),
    c.UNKNOWN: _l("This link is not valid"),
    c.CHANGED: _l("This link is for an earlier email address"),
    c.SENT: _l("A new link is on its way"),
    c.WAIT: _l("A link was sent a moment ago"),
    c.CLOSED: _l("Your request is no longer waiting for approval"),
}


def _page(state: str, token: str = "", request_id: int | None = None, error=None,
          status: int | None = None):
    if state == c.WAIT:
        note_retry_in(c.RESEND_INTERVAL.total_seconds())   # Retry-After on the 429
    req = db.session.get(EnrollmentRequest, request_id) if request_id else None
    practice = ({"name": req.practice.name, "phone": display_phone(req.practice.phone)}
                if req is not None else None)
    resp = render("enrollment/confirm.html", "step", status=status or STATUS[state],
                  state=state,
                  heading=HEADINGS[state], token=token, practice=practice,
                  form=FlaskForm(), error=error, step=None, steps=None)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@confirm_bp.get("/<token>")
def page(token: str):
    """Shows what the link is for, with a button; changes nothing."""
    state, row = c.lookup(token)
    return _page(state, token, row.request_id if row else None)


@confirm_bp.post("/<token>")
def use(token: str):
    state, row = c.confirm(token)
    return _page(state, token, row.request_id if row else None)


def _link_named() -> str:
    return "link:" + digest(request.view_args.get("token", ""))


def _draft_named() -> str:
    return f"request:{g.draft.request_id if g.draft is not None else '-'}"


@confirm_bp.post("/<token>/new-link")
@limits.resend_limits(_link_named)
def new_link_from_link(token: str):
    """From an expired link's page: a new link to the address on the request."""
    state, row = c.lookup(token)
    if row is None:
        return _page(state, token)
    if state in (c.USED, c.CHANGED):
        return _page(state, token, row.request_id)
    return _page(c.resend(row.request_id), request_id=row.request_id)


@confirm_bp.errorhandler(CSRFError)
def stale_form(exc):
    """A missing or stale form token: the same page again, with a fresh one."""
    token = (request.view_args or {}).get("token", "")
    state, row = c.lookup(token)
    return _page(state, token, row.request_id if row else None, status=400,
                 error=_l("This page was open for a long time. Select the button again."))


@bp.post("/done/new-link")
@limits.resend_limits(_draft_named)
def new_link():
    """The done page's button: the draft cookie names the submitted request."""
    draft = g.draft
    if draft is None or draft.submitted_at is None or draft.request_id is None:
        return client_redirect(url_for("enrollment.start"))
    return _page(c.resend(draft.request_id), request_id=draft.request_id)
