"""The recovery jobs (outbox.jobs), run by the outbox sender, never in a web request:
the look-up of "forgot your password?" and "forgot your username?".

Each gets the keyed hash of what was typed (crypto.name_hash) and finds accounts by
the hash columns (patient_account.username_hash, enrollment_request.email_hash).  Mail
goes only to an address that was confirmed (the account's request reads
`email_confirmed`): someone who enrolled with another person's address cannot make the
portal mail that person a username or a link.  Nothing found: nothing sent, and
nothing tells the person who asked (their page was the same either way)."""
import sqlalchemy as sa

from enrollment.models import EnrollmentRequest, PatientAccount
from extensions import db
from outbox import register_job
from seclog import RECOVERY_LINK_SENT, actor_ids, security_event

from . import emails
from .patients import request_of
from .recovery import ASKED, FORGOT_PASSWORD, FORGOT_USERNAME, issue


def _confirmed_request(account: PatientAccount) -> EnrollmentRequest | None:
    """The account's request when its address is confirmed; else None."""
    req = request_of(account)
    return req if req is not None and req.email_confirmed else None


def matches(key: str) -> list[tuple[PatientAccount, EnrollmentRequest]]:
    """Every account whose username, or whose request's (confirmed) address, has the
    keyed hash `key`, with that request; by account id."""
    if not key:
        return []
    by_email = (sa.select(EnrollmentRequest.account_id)
                .where(EnrollmentRequest.email_hash == key,
                       EnrollmentRequest.account_id.is_not(None)))
    accounts = db.session.execute(
        sa.select(PatientAccount).where(sa.or_(PatientAccount.username_hash == key,
                                               PatientAccount.id.in_(by_email)))
        .order_by(PatientAccount.id)).scalars().all()
    found = []
    for account in accounts:
        req = _confirmed_request(account)
        if req is not None and key in (account.username_hash, req.email_hash):
            found.append((account, req))
    return found


def send_password_links(key: str) -> None:
    """A link to every matching account with a confirmed address and its questions."""
    for account, req in matches(key):
        if len(account.answers) < ASKED:
            continue
        token, minutes = issue(account)
        emails.queue_reset_link(account, req, token, minutes)
        security_event(RECOVERY_LINK_SENT, **actor_ids(account))


def send_usernames(key: str) -> None:
    """One email to a confirmed address listing the usernames of its accounts."""
    found = [(account, req) for account, req in matches(key) if req.email_hash == key]
    if not found:
        return
    latest = max((req for _, req in found), key=lambda req: req.id)
    emails.queue_usernames(latest, found)


def init_app(app) -> None:
    register_job(app, FORGOT_PASSWORD, send_password_links)
    register_job(app, FORGOT_USERNAME, send_usernames)
