"""Who may see the dashboard: signed-in staff; the audit pages: practice admins."""
from functools import wraps

from flask import abort, g
from flask_login import current_user

from extensions import login_manager

from . import bp
from .queries import pending_count


def staff_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated or getattr(current_user, "kind", "") != "staff":
            return login_manager.unauthorized()
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    @wraps(view)
    @staff_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


@bp.after_request
def _no_store(resp):
    """Patient data: never cached, by the browser or anything between."""
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.context_processor
def _nav():
    if not current_user.is_authenticated or getattr(current_user, "kind", "") != "staff":
        return {"staff": None}
    return {"staff": current_user}


@bp.app_template_global("requests_pending")
def _requests_pending() -> int:
    """The nav's count, once per request, only where a template shows it: a search
    answered as a fragment does not count the pending requests at all."""
    if "pending" not in g:
        g.pending = pending_count(current_user.practice_id)
    return g.pending
