"""A signed-in patient's language: the one kept on the account, unless this browser
chose another, which then becomes the account's and its request's (every later email,
the staff's decisions included, is written in it).  And times as the patient reads
them (the template filter `patient_time`)."""
import i18n
from auth.clock import format_when
from database import write_transaction
from enrollment.models import EnrollmentRequest, PatientAccount

from . import bp


def keep_language(account: PatientAccount, req: EnrollmentRequest | None) -> None:
    i18n.remember(account.locale)
    here = i18n.current()
    if account.locale == here and (req is None or req.locale == here):
        return
    with write_transaction():
        account.locale = here
        if req is not None:
            req.locale = here


@bp.app_template_filter("patient_time")
def patient_time(utc_naive, zone: str = "UTC") -> str:
    """A stored (UTC) time as the patient reads it: in the practice's time zone and
    the patient's language ("Jan 15, 2027 9:05 AM CST", "15 ene 2027 9:05 a.m. CST")."""
    if utc_naive is None:
        return ""
    return str(format_when(utc_naive, zone or "UTC", i18n.current(), ("medium", "short")))
