"""What every feature of the dashboard shares: who may see it (signed-in staff; some
pages practice admins only), no caching, the navigation's user, the tables' template
helpers (templates/admin/_row_kit.html), the forms' base, an email field's check, and
the Page of a queue."""
import unicodedata
from dataclasses import dataclass
from functools import wraps

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import abort, request, url_for
from flask_babel import get_locale, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from auth.clock import COMPACT, format_when
from auth.login import login_required, signed_in_as
from enrollment.models import AppointmentRequest, EnrollmentRequest
from extensions import db
from seclog import ACCESS_DENIED, actor_ids, security_event

from . import bp

STAFF = "staff"
_MARK = 2_147_483_647   # an id no request has: replaced by %d

# --- who may see it -----------------------------------------------------------------

staff_required = login_required(STAFF)


def admin_required(view):
    """Signed-in staff with the role admin; other staff get 403."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return staff_required(wrapped)


@bp.after_request
def _no_store(resp):
    """Patient data: never cached, by the browser or anything between."""
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.after_request
def _other_practice(resp):
    """A 404 for a request, appointment or staff member that exists at ANOTHER practice
    is an access denial: the security log says so (by ids).  Only on a 404's path."""
    if resp.status_code == 404 and signed_in_as(STAFF):
        for key, model, row_id in _asked():
            if db.session.execute(sa.select(model.id).where(
                    model.id == row_id, model.practice_id != current_user.practice_id)
                    ).first() is not None:
                security_event(ACCESS_DENIED, reason="other_practice", status=404,
                               **{key: row_id}, **actor_ids(current_user))
                break
    return resp


def _asked() -> list:
    """(log key, model, id) of the rows the URL (or "reject as a duplicate of") names."""
    from .staff.models import StaffUser
    args = request.view_args or {}
    asked = [(key, model, args[name]) for name, key, model in (
        ("request_id", "request_id", EnrollmentRequest),
        ("appointment_id", "appointment_id", AppointmentRequest),
        ("staff_id", "target_staff_id", StaffUser)) if isinstance(args.get(name), int)]
    other = request.form.get("of", "") if request.method == "POST" else ""
    if other.isdigit() and len(other) < 10:
        asked.append(("request_id", EnrollmentRequest, int(other)))
    return asked


@bp.context_processor
def _nav():
    return {"staff": current_user if signed_in_as(STAFF) else None}


# --- templates ----------------------------------------------------------------------

@bp.app_template_global("request_url")
def request_url(endpoint: str) -> str:
    """url_for(endpoint, request_id=…) as a pattern: `pattern % request_id`; what every
    row shares is worked out once per table, not once per row."""
    built = url_for(endpoint, request_id=_MARK).replace("%", "%%")
    return built.replace(str(_MARK), "%d")


@bp.app_template_filter("labels")
def labels(table: dict) -> dict:
    """A code -> lazy label table translated once, for this request's locale."""
    return {code: str(label) for code, label in table.items()}


@bp.app_template_filter("practice_time")
def practice_time(utc_naive, zone: str) -> str:
    """A naive UTC time shown in the practice's zone: 2027-01-15 09:00 PST."""
    if utc_naive is None:
        return ""
    return str(format_when(utc_naive, zone, str(get_locale() or "en"), COMPACT))


# --- forms and queues ---------------------------------------------------------------

class AdminForm(FlaskForm):
    class Meta:
        locales = False


class ButtonForm(AdminForm):
    """A button that posts: nothing but the CSRF token (approve, remove, disable...)."""


def email_address(value: str) -> str:
    """A typed email address, normalised; ValidationError when it is not one."""
    try:
        return validate_email(value or "", check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(_l("Enter an email address like name@example.com.")) from None


def staff_address_key(value: str) -> str:
    """A staff email address as it is stored and compared: NFKC (a full-width letter is
    the letter), trimmed, lower case."""
    return unicodedata.normalize("NFKC", value or "").strip().lower()


def staff_address(value: str) -> str:
    """A typed staff email address, normalised (staff_address_key) and limited to
    ASCII, so no two staff addresses can look alike; ValidationError otherwise."""
    key = staff_address_key(value)
    if not key.isascii():
        raise ValidationError(_l("Use an address made of plain letters (a to z), digits "
                                 "and . _ - + only: staff addresses are kept to those, so "
                                 "no two can look alike."))
    return email_address(key).lower()


@dataclass
class Page:
    rows: list
    number: int
    pages: int
    total: int


def id_value(raw) -> int | None:
    """An id typed or sent (a query's page, a form's request number): ASCII digits, 1
    to 2**31 - 1 (the ids a table holds); None for anything else."""
    raw = str(raw or "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    number = int(raw)
    return number if 1 <= number <= 2**31 - 1 else None


def page_number() -> int:
    """The query's `page` (1 without one); a page that is not a page number, or beyond
    any, is a 404 (never a database error)."""
    raw = request.args.get("page")
    if raw is None:
        return 1
    number = id_value(raw)
    if number is None:
        abort(404)
    return number


def page_bounds(total: int, number: int, size: int) -> tuple[int, int]:
    """(pages, number): at least one page; `number` brought within them."""
    pages = max(1, -(-total // size))
    return pages, min(max(1, number), pages)
