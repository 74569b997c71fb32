"""The patient's account emails: a recovery link, the usernames on an address, "your
password was changed" and "many failed sign-ins".  Queued in the caller's write
transaction (outbox), about the account's request (enrollment.emails.queue_about: its
reference and date; the first name and username only once its address is confirmed).

What they hold: the practice's name, phone and reply-to address, usernames (to a
confirmed address), a link.  Never a date of birth, insurance, a security question's
answer, a password or anything about health.
"""
from auth import throttle
from auth.clock import format_when
from enrollment.emails import external_url, queue_about
from enrollment.models import EnrollmentRequest, PatientAccount
from outbox import OutboxMessage

from .patients import request_of


def queue_reset_link(account: PatientAccount, req: EnrollmentRequest, token: str,
                     minutes: int) -> OutboxMessage | None:
    """A recovery link for one account (its username, so several accounts on one
    address can tell their emails apart), to a confirmed address only (the recovery
    job asks only for those): None otherwise."""
    if not req.email_confirmed:
        return None
    return queue_about("patient_reset", req, minutes=minutes,
                       link=external_url("account.recover", token=token),
                       forgot_url=external_url("account.forgot_password"))


def queue_usernames(email_req: EnrollmentRequest, found: list) -> OutboxMessage | None:
    """One email to an address listing every username on it, each with its practice and
    its request's reference and date.  `found`: [(account, its request)], each request
    on this address; only those confirmed are listed, and nothing is sent without one."""
    found = [(account, req) for account, req in found if req.email_confirmed]
    if not found or not email_req.email_confirmed:
        return None
    listed = [{"username": account.username, "practice": account.practice.name,
               "reference": req.reference,
               "sent_on": format_when(req.created_at, req.practice.timezone,
                                      req.locale or "en").date}
              for account, req in found]
    return queue_about("patient_usernames", email_req, usernames=listed,
                       login_url=external_url("account.login"),
                       forgot_url=external_url("account.forgot_password"))


def queue_password_changed(account: PatientAccount) -> OutboxMessage | None:
    """'Your password was changed' (by recovery or on the account page): the
    username (to a confirmed address) and the sign-in page, nothing else.  None when
    the account has no request (so no address) any more."""
    req = request_of(account)
    if req is None:
        return None
    return queue_about("patient_password_changed", req,
                       login_url=external_url("account.login"))


def queue_throttle_notice(account: PatientAccount) -> OutboxMessage | None:
    """'Many failed sign-ins on your account': once, when the waits start
    (auth.credentials), and only to a confirmed address; None otherwise."""
    req = request_of(account)
    if req is None or not req.email_confirmed:
        return None
    return queue_about("patient_throttled", req, login_url=external_url("account.login"),
                       forgot_url=external_url("account.forgot_password"),
                       longest=throttle.longest_wait_text())
