"""The audit trail, read-only, for practice admins: filtered by staff member, by request
and by dates in the practice's time zone (combinable), a page at a time, times shown
in the practice's zone.  A GET form: it works without JavaScript, and htmx swaps the
page and pushes its address."""
from flask import request
from flask_babel import get_locale, gettext as _
from flask_login import current_user

import audit
from htmx import render

from .. import bp
from ..core import admin_required, page_number
from ..staff.accounts import staff_list
from .audit_filters import AuditFilterForm
from .audit_text import Context, describe, when


@bp.get("/audit")
@admin_required
def audit_log():
    practice = current_user.practice
    members = staff_list(practice.id)
    form = AuditFilterForm(formdata=request.args if request.args else None).offer(
        practice.id, members)
    number = page_number()
    rows, older = [], False
    valid = form.validate()
    if valid:
        rows, older = audit.events(practice.id, form.filters(practice.timezone), number)
    ctx = Context(practice.timezone, str(get_locale() or "en"),
                  {s.id: s.email for s in members})
    lines = [(e, when(e.created_at, ctx), describe(e, ctx)) for e in rows]
    return render("admin/audit.html", "content", status=200 if valid else 422,
                  form=form, lines=lines, actions=audit.ACTIONS, emails=ctx.emails,
                  subject=form.subject, number=number, older=older, args=form.args(),
                  zone=practice.timezone, heading=_("Audit trail"))
