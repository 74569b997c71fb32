"""The queue of enrollment requests and the search.  Thin views.  Each page that
lists requests writes ONE audit row naming the ids it listed (a search: its kind and
how many it found, never what was searched for)."""
from flask import current_app, g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

import audit
from enrollment.codes import APPROVED, NEEDS_INFO, PENDING, REJECTED, STATUSES
from htmx import advance, render

from .. import bp
from ..core import page_number, staff_required
from . import places, queries
from .forms import SearchForm

FILTERS = (PENDING, queries.UPDATED, NEEDS_INFO, APPROVED, REJECTED)
# The filters' names: the statuses, and the pending requests the patient sent back.
FILTER_LABELS = {**STATUSES, queries.UPDATED: _l("Updated by the patient")}


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
    return {"page": page, "shown": status, "filters": FILTERS, "statuses": FILTER_LABELS,
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
    places.remember(places.Place(status, page.number))
    return render("admin/queue.html", "content", form=SearchForm(), results=None, **ctx)


@bp.post("/search")
@staff_required
def search():
    """By POST only: what is searched for never reaches a URL or an access log.  A valid
    search is kept with the staff session and answered at /admin/search/<id> (htmx: the
    results and that address to push; without JavaScript: a redirect to it), so Back
    and reload show the same results."""
    form = SearchForm()
    if not form.validate_on_submit():
        return render("admin/queue.html", "results", status=422, form=form, results=None,
                      **_queue_context(PENDING, None))
    search_id = places.save_search(form.by.data, form.q.data)
    url = url_for("admin.search_results", search_id=search_id)
    return advance(url, lambda: _results(form, search_id))


def _results(form: SearchForm, search_id: str):
    results = queries.search(current_user.practice_id, form.by.data, form.value)
    audit.shown(current_user, audit.SEARCHED, by=form.by.data, found=len(results),
                ids=[r.id for r in results])
    places.remember(places.Place(search_id=search_id))
    return render("admin/queue.html", "results", form=form, results=results,
                  **_queue_context(PENDING, None))


def _kept_form(saved) -> SearchForm:
    """The search form as it was posted (the value parsed again: a date, a number)."""
    form = SearchForm(formdata=MultiDict({"by": saved.by, "q": saved.terms}),
                      meta={"csrf": False})
    form.validate()
    return form


def rerun(saved) -> list:
    """A kept search's results now (not audited: the caller lists or uses them)."""
    form = _kept_form(saved)
    return queries.search(current_user.practice_id, form.by.data, form.value)


@bp.get("/search/<search_id>")
@staff_required
def search_results(search_id: str):
    """A kept search, shown again (audited like the first time).  Another session's, or
    one older than a day, is not found: a 404 page that offers the search again."""
    saved = places.saved_search(search_id)
    if saved is None:
        return render("admin/queue.html", "results", status=404, form=SearchForm(),
                      results=None, expired=True, **_queue_context(PENDING, None))
    return _results(_kept_form(saved), search_id)
