"""The queue of enrollment requests and the search.  Thin views.  Each page that
lists requests writes ONE audit row naming the ids it listed (a search: its kind and
how many it found, never what was searched for)."""
from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user

import audit
from enrollment.codes import APPROVED, NEEDS_INFO, PENDING, REJECTED, STATUSES
from htmx import render

from .. import bp
from ..core import page_number, staff_required
from . import queries
from .forms import SearchForm

FILTERS = (PENDING, NEEDS_INFO, APPROVED, REJECTED)


@bp.app_template_global("requests_pending")
def _requests_pending() -> int:
    """The nav's count, once per request, only where a template shows it: a search
    answered as a fragment does not count the pending requests at all."""
    if "pending" not in g:
        g.pending = queries.pending_count(current_user.practice_id)
    return g.pending


def _queue_context(status: str, number: int | None) -> dict:
    """number None: no queue (search results replace it), so no query for it."""
    size = current_app.config["ADMIN_PAGE_SIZE"]
    page = None if number is None else queries.queue(
        current_user.practice_id, status, number, size)
    if page is not None and status == PENDING:
        g.pending = page.total   # the navigation's count: the same number, counted once
    return {"page": page, "shown": status, "filters": FILTERS, "statuses": STATUSES,
            "heading": _("Enrollment requests")}


@bp.get("/")
@staff_required
def queue():
    status = request.args.get("status", PENDING)
    if status not in FILTERS:
        status = PENDING
    number = page_number()
    ctx = _queue_context(status, number)
    page = ctx["page"]
    if page.rows:
        audit.shown(current_user, audit.QUEUE_VIEWED, status=status, page=page.number,
                    ids=[r.id for r in page.rows])
    return render("admin/queue.html", "content", form=SearchForm(), results=None, **ctx)


@bp.post("/search")
@staff_required
def search():
    """By POST only: what is searched for never reaches a URL or an access log."""
    form = SearchForm()
    results, status = None, 200
    if form.validate_on_submit():
        results = queries.search(current_user.practice_id, form.by.data, form.value)
        audit.shown(current_user, audit.SEARCHED, by=form.by.data, found=len(results),
                    ids=[r.id for r in results])
    else:
        status = 422
    return render("admin/queue.html", "results", status=status, form=form,
                  results=results, **_queue_context(PENDING, None))
