"""The audit trail, read-only, for practice admins: by request or by staff member."""
from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

import audit
from htmx import render

from .. import bp
from ..core import admin_required
from ..requests.queries import get_request
from ..staff.accounts import staff_list, staff_of


@bp.get("/audit")
@admin_required
def audit_log():
    practice_id = current_user.practice_id
    request_id = request.args.get("request", type=int)
    staff_id = request.args.get("staff", type=int)
    subject = None
    if request_id is not None:
        subject = get_request(practice_id, request_id)
        if subject is None:
            abort(404)
    if staff_id is not None and staff_of(practice_id, staff_id) is None:
        abort(404)
    rows = audit.events(practice_id, request_id=request_id, staff_id=staff_id)
    members = staff_list(practice_id)
    return render("admin/audit.html", "content", rows=rows, actions=audit.ACTIONS,
                  staff_members=members, emails={s.id: s.email for s in members},
                  subject=subject, staff_id=staff_id, request_id=request_id,
                  heading=_("Audit trail"))
