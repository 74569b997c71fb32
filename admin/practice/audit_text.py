"""An audit row's detail in words, at display time: codes become their labels, ids
become request numbers or staff addresses, and a stored UTC time is shown in the
practice's zone with its abbreviation (never as the ISO string it is stored as)."""
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

import audit
from auth.clock import format_when
from enrollment import steps
from enrollment.codes import (APPOINTMENT_DECLINE_REASONS, APPOINTMENT_STATUSES,
                              REJECTION_REASONS, STATUSES)

from ..requests.forms import SEARCH_BY

# How audit rows store a time (admin/appointments/decisions.py): UTC, to the minute.
STORED_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d)(?::\d\d(?:\.\d+)?)?Z")
SECONDS = ("yyyy-MM-dd", "HH:mm:ss")
MINUTES = ("yyyy-MM-dd", "HH:mm")


@dataclass
class Context:
    """What words need: the practice's zone, the language, staff addresses by id."""
    zone: str
    locale: str = "en"
    emails: dict = field(default_factory=dict)


def when(utc_naive: datetime, ctx: Context, formats=SECONDS) -> str:
    """2027-01-15 09:00:05 CST: the practice's zone and its abbreviation."""
    return str(format_when(utc_naive, ctx.zone, ctx.locale, formats))


def numbers(ids: list[int]) -> str:
    """[3, 4, 5, 9] -> "#3–#5, #9"."""
    compact = audit.compact_ids(ids)
    return ", ".join("#" + part.replace("-", "–#") for part in compact.split(",") if part)


def _listing(fields: dict, statuses: dict) -> str:
    status = statuses.get(fields.get("status", ""), fields.get("status", ""))
    shown = numbers(audit.expand_ids(fields.get("ids", "")))
    return _("%(status)s, page %(n)s: %(ids)s", status=status, n=fields.get("page", "1"),
             ids=shown)


def _search(fields: dict) -> str:
    by = dict(SEARCH_BY).get(fields.get("by", ""), fields.get("by", ""))
    found = _("by %(by)s, %(n)s found", by=str(by).lower(), n=fields.get("found", "0"))
    ids = audit.expand_ids(fields.get("ids", ""))
    return f"{found}: {numbers(ids)}" if ids else found


def _viewed(fields: dict) -> str:
    ids = audit.expand_ids(fields.get("duplicates", ""))
    return _("with possible duplicates %(ids)s", ids=numbers(ids)) if ids else ""


def _sections(detail: str) -> str:
    titles = {step.name: str(step.title) for step in steps.correctable()}
    return ", ".join(titles.get(code, code) for code in detail.split(",") if code)


def _subject(detail: str, ctx: Context) -> str:
    """"staff:7" -> the address; "provider:3" -> "provider #3"; a code as it is."""
    kind, sep, number = detail.partition(":")
    if not sep or not number.isdigit():
        return detail
    if kind == "staff":
        return ctx.emails.get(int(number), f"#{number}")
    return f"{kind} #{number}"


def _times(text: str, ctx: Context) -> str:
    """Any stored UTC time in `text`, in the practice's zone."""
    def local(match):
        return when(datetime.fromisoformat(match.group(1)), ctx, MINUTES)
    return STORED_TIME.sub(local, text)


def describe(event, ctx: Context) -> str:
    """The words after the action's label ("" when there is nothing to add)."""
    detail = event.detail or ""
    if not detail:
        return ""
    fields = audit.fields_of(detail)
    by_action = {
        audit.QUEUE_VIEWED: lambda: _listing(fields, STATUSES),
        audit.APPTS_VIEWED: lambda: _listing(fields, APPOINTMENT_STATUSES),
        audit.SEARCHED: lambda: _search(fields),
        audit.VIEWED: lambda: _viewed(fields),
        audit.REJECTED: lambda: str(REJECTION_REASONS.get(detail, detail)),
        audit.APPT_DECLINED: lambda: str(APPOINTMENT_DECLINE_REASONS.get(detail, detail)),
        audit.APPT_APPROVED: lambda: _("for %(when)s", when=_times(detail, ctx)),
        audit.NEEDS_INFO: lambda: _sections(detail),
    }
    words = by_action[event.action]() if event.action in by_action else \
        _subject(detail, ctx)
    return _times(words, ctx)
