"""Sign-in, sign-out, staying signed in, the queue and the search.  Thin views."""
from flask import current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from auth.login import sign_in, sign_out
from enrollment.codes import APPROVED, NEEDS_INFO, PENDING, REJECTED, STATUSES
from extensions import limiter
from htmx import client_redirect, render

from . import bp, queries
from .forms import LoginForm, SearchForm
from .guard import staff_required
from .staff import LOCKED, OK, authenticate

FILTERS = (PENDING, NEEDS_INFO, APPROVED, REJECTED)


def _failed(resp) -> bool:
    return resp.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["STAFF_LOGIN_LIMIT"], methods=["POST"],
               deduct_when=_failed)
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result, user = authenticate(form.email.data, form.password.data)
        if result == OK:
            sign_in(user)
            return redirect(url_for("admin.queue"), 303)
        form.form_errors.append(
            _("This account is locked after too many failed sign-ins. Use \"Forgot your "
              "password?\" or ask your practice's administrator to reset your access.")
            if result == LOCKED else _("The email address or password is not right."))
    if form.errors or form.form_errors:
        status = 422
    return render("admin/login.html", "content", status=status, form=form,
                  expired=request.args.get("expired") == "1",
                  heading=_("Sign in to the staff dashboard"))


@bp.post("/logout")
def logout():
    sign_out()
    return client_redirect(url_for("admin.login"))


@bp.post("/session")
@staff_required
def keepalive():
    """'Stay signed in': the user loader has just renewed last_seen_at."""
    return "", 204


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
    number = request.args.get("page", 1, type=int) or 1
    return render("admin/queue.html", "content", form=SearchForm(), results=None,
                  **_queue_context(status, number))


@bp.post("/search")
@staff_required
def search():
    """By POST only: what is searched for never reaches a URL or an access log."""
    form = SearchForm()
    results, status = None, 200
    if form.validate_on_submit():
        results = queries.search(current_user.practice_id, form.by.data, form.value)
    else:
        status = 422
    return render("admin/queue.html", "results", status=status, form=form,
                  results=results, **_queue_context(PENDING, None))
