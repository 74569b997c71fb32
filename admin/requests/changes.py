"""What the patient changed when they sent a request back: for each corrected section,
the old value beside the new, field by field (only the fields that differ).  The old
values are the section as it was before the first save of that round
(enrollment.models.RequestRevision, written by account/corrections.save)."""
from dataclasses import dataclass

import sqlalchemy as sa

from enrollment import steps
from enrollment.models import RequestRevision
from extensions import db

CONTROL = {"csrf_token", "submit"}


@dataclass
class Change:
    label: str
    before: str
    after: str


def latest(req) -> list[tuple[str, list[Change]]]:
    """[(section title, [Change...])] of the latest round of corrections, in the
    wizard's order; sections saved without a difference are left out."""
    rows = db.session.execute(sa.select(RequestRevision).where(
        RequestRevision.request_id == req.id).order_by(RequestRevision.id)).scalars().all()
    if not rows or req.purged_at:
        return []
    last_round = rows[-1].info_request_id
    first = {}
    for row in rows:
        if row.info_request_id == last_round:
            first.setdefault(row.section, row.values)
    found = []
    for step in steps.correctable():
        if step.name in first:
            changed = _compare(step, first[step.name], step.request_values(req))
            if changed:
                found.append((step.title, changed))
    return found


def _compare(step, before: dict, after: dict) -> list[Change]:
    form = step.form(formdata=None, meta={"csrf": False})
    changes = []
    for field in form:
        name = field.name
        if name in CONTROL or name in step.secret_fields:
            continue
        old, new = before.get(name, ""), after.get(name, "")
        if str(old or "") != str(new or ""):
            changes.append(Change(str(field.label.text), _shown(field, old), _shown(field, new)))
    return changes


def _shown(field, value) -> str:
    labels = {str(c[0]): str(c[1]) for c in (getattr(field, "choices", None) or ())
              if isinstance(c, tuple)}
    return labels.get(str(value), str(value or "")) or "—"
