"""What the review page shows: each completed step's values with their labels.
Never the password or the security answers."""
from datetime import date

import phonenumbers
from flask_babel import format_date, lazy_gettext as _l

from . import steps, wizard
from .codes import RELATIONSHIPS, SECURITY_QUESTIONS, US_STATES
from .models import Draft


def _phone(e164: str) -> str:
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164),
                                          phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def _address(values: dict, prefix: str = "") -> str:
    parts = [values.get(prefix + "street"), values.get(prefix + "line2"),
             values.get(prefix + "city"),
             " ".join(p for p in (values.get(prefix + "state"), values.get(prefix + "zip")
                                  or values.get(prefix + "zip_code")) if p)]
    return ", ".join(p for p in parts if p)


def sections(draft: Draft) -> list:
    clean = draft.clean
    practice = wizard.practice_of(draft)
    p = clean.get("personal", {})
    ins = clean.get("insurance", {})
    cred = clean.get("credentials", {})
    sec = clean.get("security", {})
    name = " ".join(x for x in (p.get("first_name"), p.get("middle_name"), p.get("last_name")) if x)
    rows = {
        "practice": [(_l("Practice"), practice.name if practice else "")],
        "personal": [
            (_l("Name"), name),
            (_l("Address"), _address(p)),
            (_l("Phone number"), _phone(p.get("phone", ""))),
            (_l("Date of birth"), format_date(date.fromisoformat(p["date_of_birth"]), "long")
             if p.get("date_of_birth") else ""),
            (_l("Email address"), p.get("email", "")),
        ],
        "insurance": [
            (_l("Insurance company or plan"), ins.get("carrier")),
            (_l("Member ID"), ins.get("member_id")),
            (_l("Group number"), ins.get("group_number") or "—"),
            (_l("Subscriber"), "{} ({})".format(ins.get("subscriber_name"),
                                                RELATIONSHIPS.get(ins.get("relationship"), ""))),
            (_l("Claim mailing address"), _address(ins, "claim_")),
        ] if ins else [(_l("Insurance"), _l("None given"))],
        "credentials": [(_l("Username"), cred.get("username", "")),
                        (_l("Password"), _l("Set (not shown)"))],
        "security": [(_l("Question %(n)d", n=i + 1), SECURITY_QUESTIONS.get(q, ""))
                     for i, q in enumerate(sec.get("questions", []))],
    }
    return [(step, rows[step.name]) for step in steps.STEPS if step.name in rows]


def state_name(code: str) -> str:
    return US_STATES.get(code, code)
