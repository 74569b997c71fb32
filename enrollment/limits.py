"""The wizard's limits (README, "Limits"): drafts made, posts, live checks and
submissions per client address; live checks per draft; submissions per email address
and per practice; and what the practice's staff are told when its ceiling refused some.

Views call these and render; the counting is rate_limits'.  Keys that name a person
(an email address) are keyed hashes: the limiter's storage never holds the address."""
from typing import Callable

from flask import current_app, request

import crypto
from extensions import limiter
from rate_limits import allowed, client_key, count, per_client, per_name

# Every POST of the wizard (steps, Back, the appointment, resume, start over): one
# bucket per client.
step_posts = limiter.shared_limit(per_client("ENROLL_POST_LIMIT"), scope="enroll-post",
                                  methods=["POST"])


@limiter.request_filter
def _step_page() -> bool:
    """A step's page (GET /enroll/<step>) has no limit of its own and the app has no
    default one: Flask-Limiter is told so before it works out, for each page, that
    there is nothing to count."""
    return request.endpoint == "enrollment.step" and request.method in ("GET", "HEAD")


# Refusals at a practice's ceiling, counted for its staff's notice (far more than will
# ever be refused in an hour: the count, not a limit).
REFUSALS = "100000 per hour"
# Why a submission was refused.
BY_CLIENT, BY_EMAIL, BY_PRACTICE = "client", "email", "practice"


def resend_limits(named: Callable[[], str]):
    """A "send me a new link" button's limits: CONFIRM_RESEND_LIMIT per client, and per
    request (or link) `named` returns, shared by every such button (the done page, the
    status page, an expired link's page) on top of confirmation's one a minute."""
    by_client = limiter.shared_limit(per_client("CONFIRM_RESEND_LIMIT"),
                                     scope="confirm-resend", methods=["POST"])
    by_name = limiter.shared_limit(per_name("CONFIRM_RESEND_LIMIT"),
                                   scope="confirm-resend-named", key_func=named,
                                   methods=["POST"])
    return lambda view: by_client(by_name(view))


def draft_allowed() -> bool:
    """A new draft for this client (counted); False: refused, retry time noted."""
    return allowed(per_client("ENROLL_DRAFT_LIMIT")(), "draft", client_key())


def live_check_allowed(draft_id: str | None = None) -> bool:
    """One live check from this client (counted) and, for a draft's username check,
    one of the draft's LIVE_CHECKS_PER_DRAFT over its life."""
    cfg = current_app.config
    if not allowed(per_client("LIVE_CHECK_LIMIT")(), "live", client_key(), hit=False):
        return False
    per_draft = f"{cfg['LIVE_CHECKS_PER_DRAFT']} per {cfg['DRAFT_TTL_HOURS']} hours"
    if draft_id is not None and not allowed(per_draft, "live-draft", draft_id):
        return False
    return allowed(per_client("LIVE_CHECK_LIMIT")(), "live", client_key())


def _ceiling() -> str:
    return f"{current_app.config['PRACTICE_SUBMISSIONS_PER_HOUR']} per hour"


def _email_key(email: str) -> str:
    return crypto.index_hash("submit:" + (email or "").strip().lower()) or "-"


def submission_refused(practice_id: int | None, email: str | None) -> str | None:
    """None: the submission may go ahead, and is counted against every limit; else why
    it may not (BY_CLIENT, BY_EMAIL, BY_PRACTICE), counted nowhere but in the
    practice's refusals, with the retry time noted for the 429."""
    checks = ((BY_CLIENT, per_client("SUBMIT_LIMIT")(), "submit", client_key()),
              (BY_EMAIL, current_app.config["SUBMIT_LIMIT"], "submit-email",
               _email_key(email)),
              (BY_PRACTICE, _ceiling(), "practice-submit", str(practice_id)))
    for reason, value, scope, key in checks:
        if not allowed(value, scope, key, hit=False):
            if reason == BY_PRACTICE:
                allowed(REFUSALS, "practice-refused", str(practice_id))
            return reason
    for _reason, value, scope, key in checks:
        allowed(value, scope, key)
    return None


def refused_last_hour(practice_id: int) -> int:
    """Submissions the practice's ceiling refused in the last hour (for its staff)."""
    return count(REFUSALS, "practice-refused", str(practice_id))
