"""The patient's account emails: a recovery link, the usernames on an address, and
"your password was changed".  Queued in the caller's write transaction (outbox).

What they hold: the patient's first name, the practice's name, phone and reply-to
address, usernames, a link.  Never a date of birth, insurance, a security question's
answer, a password or anything about health.
"""
from enrollment.emails import display_phone, external_url
from enrollment.models import EnrollmentRequest, PatientAccount
from outbox import OutboxMessage, enqueue

from .patients import request_of


def _practice(practice) -> dict:
    return {"name": practice.name, "phone": display_phone(practice.phone),
            "reply_to": practice.reply_to}


def _queue(name: str, req: EnrollmentRequest, practice, **context) -> OutboxMessage:
    return enqueue(name, to=req.email, from_name=practice.name, reply_to=practice.reply_to,
                   locale=req.locale or "en",
                   context={"practice": _practice(practice), "first_name": req.first_name,
                            **context})


def queue_reset_link(account: PatientAccount, req: EnrollmentRequest, token: str,
                     minutes: int) -> OutboxMessage:
    """A recovery link for one account (its username, so several accounts on one
    address can tell their emails apart)."""
    return _queue("patient_reset", req, account.practice,
                  username=account.username, minutes=minutes,
                  link=external_url("account.recover", token=token),
                  forgot_url=external_url("account.forgot_password"))


def queue_usernames(email_req: EnrollmentRequest, accounts: list) -> OutboxMessage:
    """One email to an address listing every username on it, each with its practice."""
    practice = accounts[0].practice
    listed = [{"username": a.username, "practice": a.practice.name}
              for a in accounts]
    return _queue("patient_usernames", email_req, practice, usernames=listed,
                  login_url=external_url("account.login"),
                  forgot_url=external_url("account.forgot_password"))


def queue_password_changed(account: PatientAccount) -> OutboxMessage | None:
    """'Your password was changed' (by recovery or on the account page): the
    username and the sign-in page, nothing else.  None when the account has no request
    (so no address) any more."""
    req = request_of(account)
    if req is None:
        return None
    return _queue("patient_password_changed", req, account.practice,
                  username=account.username, login_url=external_url("account.login"))
