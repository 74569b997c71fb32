"""The second factor's arithmetic: time-based one-time codes (RFC 6238, pyotp) and
single-use recovery codes.  No table, no request: the caller keeps the secret, the
last accepted time step and the recovery codes' digests.

    secret = new_secret()                    # 160 bits, base32 (what the app is given)
    step = accepted_step(secret, "123456", last_step)   # an int, or None: refused
    codes = new_recovery_codes()             # shown once; store recovery_digest(c)

A code is accepted for the current 30-second step and one step either side (a phone's
clock a little off); a step at or before `last_step` is refused, so a code seen over a
shoulder or replayed from a log cannot be used again."""
import hmac
import re
import secrets
from datetime import timezone

import pyotp

import crypto

from .clock import utcnow

STEP_SECONDS = 30
DRIFT_STEPS = 1
DIGITS = 6
RECOVERY_CODES = 10
# Crockford's base32 alphabet: no i, l, o, u, so nothing reads as another symbol.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_LENGTH = 12            # 12 symbols of 5 bits: 60 random bits per code
CODE_RE = re.compile(rf"^[0-9]{{{DIGITS}}}$")


def new_secret() -> str:
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The key as a person types it: groups of four (ABCD EFGH ...)."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code.  A colon
    separates issuer and account in it, so neither may hold one."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=account.replace(":", " "), issuer_name=issuer.replace(":", " "))


def current_step(now=None) -> int:
    now = now or utcnow()
    return int(now.replace(tzinfo=timezone.utc).timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def matching_step(secret: str, code: str, now=None) -> int | None:
    """The step within the drift window whose code `code` is, or None."""
    code = (code or "").replace(" ", "")
    if not CODE_RE.match(code):
        return None
    here = current_step(now)
    for step in (here, here - DRIFT_STEPS, here + DRIFT_STEPS):
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """`count` random codes, shown as xxxx-xxxx-xxxx."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append("-".join(raw[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    return codes


def normalised_recovery(typed: str) -> str:
    """What a person typed, as the code it means: any case, spaces and hyphens
    ignored, and i/l read as 1, o as 0 (Crockford)."""
    text = re.sub(r"[\s-]+", "", (typed or "").lower())
    return text.translate(str.maketrans("ilo", "110"))


def recovery_digest(typed: str) -> str | None:
    """The stored form of a recovery code: HMAC-SHA256 under PORTAL_INDEX_KEY (a key
    `keys rotate` leaves alone), or None for text that cannot be a code.

    Not argon2: a recovery code is 60 random bits, not a password a person chose, so
    no dictionary or guessing attack gets anywhere near it even at a fast hash's
    speed, and the key means a copied database alone cannot even test a guess.  A
    slow hash would only make each sign-in with a code cost ten argon2 runs."""
    code = normalised_recovery(typed)
    if len(code) != RECOVERY_LENGTH or any(c not in RECOVERY_ALPHABET for c in code):
        return None
    return crypto.keys().index("staff-recovery-code:" + code)
