"""Configuration, all from environment variables with safe defaults.

Every variable read here is listed in the README.  `load_config(instance_path)` returns
a plain dict for `app.config.update`; production refuses to start with a weak secret.
"""
import ipaddress
import os
import secrets
from pathlib import Path

from limits import parse_many

import crypto

WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development"}
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The environment does not allow the app to start safely."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _days(name: str, default: int) -> int:
    """A number of days to keep something: a whole number, 1 or more."""
    days = _int(name, default)
    if days < 1:
        raise ConfigError(f"{name} must be 1 or more (days), got {days}")
    return days


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def proxy_networks(raw: str) -> tuple:
    """TRUSTED_PROXIES: addresses or networks, separated by commas or spaces
    ("127.0.0.1", "10.0.0.0/8, 2001:db8::/32").  A bare count (the old form) is refused:
    a count believes whoever connects."""
    networks = []
    for item in raw.replace(",", " ").split():
        if item.isdigit():
            raise ConfigError(
                f"TRUSTED_PROXIES lists the proxies' addresses or networks (e.g. 127.0.0.1 "
                f"or 10.0.0.0/8), not how many there are; got {item!r} (see README)")
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError as exc:
            raise ConfigError(f"TRUSTED_PROXIES: {item!r} is not an address or a network "
                              f"(e.g. 127.0.0.1 or 10.0.0.0/8)") from exc
    return tuple(networks)


def trusted_networks(raw: str) -> tuple:
    """LIMIT_TRUSTED_NETWORKS: networks (or addresses) whose clients get the per-client
    limits multiplied, e.g. "192.0.2.0/24, 2001:db8:5::/48" (a clinic's kiosks)."""
    networks = []
    for item in raw.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ConfigError(f"LIMIT_TRUSTED_NETWORKS: {item!r} is not a network or an "
                              f"address (e.g. 192.0.2.0/24)") from exc
    return tuple(networks)


def _limit(name: str, default: str) -> str:
    """A Flask-Limiter limit ("10 per hour", "20 per minute; 200 per hour"), checked at
    start: a typo fails loudly instead of limiting nothing."""
    value = os.environ.get(name) or default
    try:
        parse_many(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a limit like '10 per hour', got {value!r}") from exc
    return value


def limit_settings() -> dict:
    """The limits of the unauthenticated actions (README, "Limits"), besides the
    sign-in, recovery and human-check ones below.  Per client address (an IPv6 client
    by its /64; multiplied on LIMIT_TRUSTED_NETWORKS) and, where an action names an
    email address, a request, a draft or a practice, per that name (never multiplied)."""
    return {
        "ENROLL_DRAFT_LIMIT": _limit("ENROLL_DRAFT_LIMIT", "10 per hour"),
        "ENROLL_POST_LIMIT": _limit("ENROLL_POST_LIMIT", "20 per minute; 200 per hour"),
        "LIVE_CHECK_LIMIT": _limit("LIVE_CHECK_LIMIT", "30 per minute; 300 per hour"),
        "LIVE_CHECKS_PER_DRAFT": _int("LIVE_CHECKS_PER_DRAFT", 30),
        "SUBMIT_LIMIT": _limit("SUBMIT_LIMIT", "5 per hour"),
        "PRACTICE_SUBMISSIONS_PER_HOUR": _int("PRACTICE_SUBMISSIONS_PER_HOUR", 60),
        "CONFIRM_RESEND_LIMIT": _limit("CONFIRM_RESEND_LIMIT", "5 per hour"),
        "LIMIT_TRUSTED_NETWORKS": trusted_networks(os.environ.get("LIMIT_TRUSTED_NETWORKS",
                                                                  "")),
        "LIMIT_TRUSTED_MULTIPLIER": _int("LIMIT_TRUSTED_MULTIPLIER", 10),
        # A moving window (no double burst at a window's edge); every limit of a route
        # is counted, so a refusal knows the longest wait.
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_FAIL_ON_FIRST_BREACH": False,
        # Drafts: the most a draft may hold (its steps' values and clean values, JSON).
        "DRAFT_MAX_BYTES": _int("DRAFT_MAX_BYTES", 16384),
        # Patients' email addresses with non-ASCII characters: only when the SMTP server
        # carries them (SMTPUTF8, RFC 6531).
        "MAIL_SMTPUTF8": _bool("MAIL_SMTPUTF8", False),
    }


def database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "portal.db")
    # Accept the common "postgres://" and "postgresql://" forms; we ship psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance_path: str, production: bool) -> str:
    key = os.environ.get("SECRET_KEY", "")
    if production:
        if key.lower() in WEAK_SECRETS or len(key) < MIN_SECRET_LENGTH:
            raise ConfigError(
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_LENGTH} characters in production"
            )
        return key
    if key:
        return key
    # Development: generated once and kept under instance/ so restarts keep sessions.
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def data_keys(instance_path: str, production: bool) -> tuple[list[str], str]:
    """PORTAL_DATA_KEYS (comma-separated, the first encrypts) and PORTAL_INDEX_KEY;
    development generates each once into instance/ (production refuses to start
    without them: require_production_settings)."""
    raw = os.environ.get("PORTAL_DATA_KEYS", "")
    index = os.environ.get("PORTAL_INDEX_KEY", "")
    if not raw and not production:
        raw = crypto.development_key(instance_path, "data_key", crypto.new_data_key)
    if not index and not production:
        index = crypto.development_key(instance_path, "index_key", crypto.new_index_key)
    return [k.strip() for k in raw.split(",") if k.strip()], index


def require_production_settings() -> None:
    """Production must say where mail goes, what address links in email carry, and
    the keys that encrypt patients' data."""
    names = ("MAIL_SERVER", "PORTAL_BASE_URL", "PORTAL_DATA_KEYS", "PORTAL_INDEX_KEY")
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        raise ConfigError("set " + " and ".join(missing) + " in production (see README)")


def _renamed(name: str) -> str:
    """The variable to read: `name`, else its deprecated name (HUMAN_CHECK* was
    CAPTCHA*) when only that one is set, so older deployments keep working."""
    old = name.replace("HUMAN_CHECK", "CAPTCHA", 1)
    return old if not os.environ.get(name) and os.environ.get(old) else name


def human_check_settings() -> dict:
    """The human check ("I'm not a robot", enrollment/human_check.py); HUMAN_CHECK=off
    for kiosks and tests."""
    on = os.environ.get(_renamed("HUMAN_CHECK"), "on").strip().lower()
    return {
        "HUMAN_CHECK": on not in {"off", "0", "false", "no"},
        "HUMAN_CHECK_COST": _int(_renamed("HUMAN_CHECK_COST"), 2000),
        "HUMAN_CHECK_KEY_PREFIX": os.environ.get(_renamed("HUMAN_CHECK_KEY_PREFIX"), "00"),
        "HUMAN_CHECK_EXPIRES_SECONDS": _int(_renamed("HUMAN_CHECK_EXPIRES_SECONDS"), 600),
        "HUMAN_CHECK_FALLBACK_MIN_SECONDS": _int(_renamed("HUMAN_CHECK_FALLBACK_MIN_SECONDS"),
                                                 3),
        "HUMAN_CHECK_FALLBACK_LIMIT": os.environ.get(_renamed("HUMAN_CHECK_FALLBACK_LIMIT"),
                                                     "20 per hour"),
    }


def throttle_settings() -> dict:
    """Sign-in throttling per account name (auth/throttle.py), staff and patients: free
    failures in a row, the first wait (doubling), its cap, and how long a count for a
    name without an account is kept after its last failure."""
    values = {
        "LOGIN_THROTTLE_AFTER": _int("LOGIN_THROTTLE_AFTER", 5),
        "LOGIN_THROTTLE_FIRST_SECONDS": _int("LOGIN_THROTTLE_FIRST_SECONDS", 1),
        "LOGIN_THROTTLE_MAX_SECONDS": _int("LOGIN_THROTTLE_MAX_SECONDS", 900),
        "LOGIN_THROTTLE_KEEP_DAYS": _int("LOGIN_THROTTLE_KEEP_DAYS", 30),
    }
    for name, value in values.items():
        if value < 1:
            raise ConfigError(f"{name} must be 1 or more, got {value}")
    return values


def _locales(name: str, default: str) -> list[str]:
    """A comma-separated list of locales ("en,es_US"), each one Babel knows, English
    (the source language, every page's fallback) among them."""
    from babel import Locale, UnknownLocaleError
    codes = [c.strip() for c in os.environ.get(name, default).split(",") if c.strip()]
    for code in codes:
        try:
            if str(Locale.parse(code)) != code:
                raise ValueError(code)
        except (ValueError, UnknownLocaleError) as exc:
            raise ConfigError(f"{name}: {code!r} is not a locale as Babel writes it "
                              f"(e.g. es_US, fr_CA)") from exc
    if "en" not in codes:
        raise ConfigError(f"{name} must include en, the language of the sources")
    return codes


def language_settings() -> dict:
    """Languages (i18n.py, README "Languages"): the patient's side offers LANGUAGES
    (each needs translations/<code>/LC_MESSAGES/messages.po), the dashboard offers
    DASHBOARD_LANGUAGES (each needs an admin.po: none yet, so English)."""
    root = Path(__file__).resolve().parent / "translations"
    return {
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": _locales("PORTAL_LANGUAGES", "en,es_US"),
        "DASHBOARD_LANGUAGES": _locales("DASHBOARD_LANGUAGES", "en"),
        # Two catalogs in one folder, merged: the dashboard's, then the patient side's,
        # which has the last word on a string both use ("Name"): a patient page never
        # shows the dashboard's translation.
        "BABEL_TRANSLATION_DIRECTORIES": f"{root};{root}",
        "BABEL_DOMAIN": "admin;messages",
        # WTForms' own messages ("This field is required.") in the page's language.
        "WTF_I18N_ENABLED": True,
    }


def load_config(instance_path: str) -> dict:
    production = os.environ.get("PORTAL_ENV", "development").lower() == "production"
    if production:
        require_production_settings()
    ttl_hours = _int("DRAFT_TTL_HOURS", 24)
    data, index = data_keys(instance_path, production)
    return {
        "PRODUCTION": production,
        "SECRET_KEY": secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # Encryption of patients' data at rest (crypto.py).
        "PORTAL_DATA_KEYS": data,
        "PORTAL_INDEX_KEY": index,
        # hide_parameters: a database error's message (logged with a 500) never holds the
        # values of the statement, that is patients' data.  No SQL echo: its lines carry
        # parameters and rows (seclog.configure_logging keeps sqlalchemy.engine quiet).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "SQLALCHEMY_ECHO": False,
        "DRAFT_TTL_HOURS": ttl_hours,
        # Retention (`flask --app app purge`): a rejected request's personal data is
        # deleted this many days after the decision; audit rows are kept six years
        # (HIPAA's documentation period), then deleted.
        "RETENTION_REJECTED_DAYS": _days("RETENTION_REJECTED_DAYS", 30),
        "AUDIT_RETENTION_DAYS": _days("AUDIT_RETENTION_DAYS", 2190),
        # The reverse proxies (TLS terminator, load balancer) in front, by address or
        # network: only from them are X-Forwarded-For/-Proto/-Host believed (serving.py),
        # so rate limits and the audit see the patient's or staff member's address.
        # Empty: none (make run).
        "TRUSTED_PROXIES": proxy_networks(os.environ.get("TRUSTED_PROXIES", "")),
        # Names this server in an X-Served-By header (to see a load balancer's spread).
        "PORTAL_SERVER_NAME": os.environ.get("PORTAL_SERVER_NAME", "").strip(),
        "MIN_PATIENT_AGE": _int("MIN_PATIENT_AGE", 18),
        # The first step's list of practices, kept per server process (seconds; 0: off).
        "PRACTICE_LIST_SECONDS": _int("PRACTICE_LIST_SECONDS", 5),
        "USERNAME_MIN_LENGTH": _int("USERNAME_MIN_LENGTH", 6),
        "USERNAME_MAX_LENGTH": _int("USERNAME_MAX_LENGTH", 50),
        "PASSWORD_MIN_LENGTH": _int("PASSWORD_MIN_LENGTH", 12),
        "PASSWORD_MAX_LENGTH": _int("PASSWORD_MAX_LENGTH", 128),
        # argon2id at OWASP's figures; tests lower them and assert these defaults.
        "ARGON2_TIME_COST": _int("ARGON2_TIME_COST", 2),
        "ARGON2_MEMORY_COST": _int("ARGON2_MEMORY_COST", 19456),
        "ARGON2_PARALLELISM": _int("ARGON2_PARALLELISM", 1),
        "TERMS_VERSION": os.environ.get("TERMS_VERSION", "2026-11-01"),
        "DOB_CHALLENGE_TRIES": 5,
        # Cookies
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "portal_session",
        # A patient on a slow line may take long over a step; a stale token re-renders.
        "WTF_CSRF_TIME_LIMIT": ttl_hours * 3600,
        "WTF_CSRF_SSL_STRICT": production,
        # Flask-Mail.  No MAIL_SERVER: the local sink of `make run` (`flask mail-sink`)
        # on 127.0.0.1:8025, which keeps each message under instance/mail/.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or "127.0.0.1",
        "MAIL_PORT": _int("MAIL_PORT", 25 if os.environ.get("MAIL_SERVER") else 8025),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "portal@localhost"),
        # The outbox (outbox/sender.py): tries, first back-off (doubling), watch interval.
        "OUTBOX_MAX_ATTEMPTS": _int("OUTBOX_MAX_ATTEMPTS", 10),
        "OUTBOX_BACKOFF_SECONDS": _int("OUTBOX_BACKOFF_SECONDS", 60),
        "OUTBOX_POLL_SECONDS": _int("OUTBOX_POLL_SECONDS", 5),
        # Links in emails start with this (e.g. https://portal.example.org); empty: the
        # address the request came in on.  Set it in production.
        "PORTAL_BASE_URL": os.environ.get("PORTAL_BASE_URL", "").rstrip("/"),
        # The staff dashboard approves only requests whose email address is confirmed.
        "APPROVAL_REQUIRES_CONFIRMED_EMAIL": _bool("APPROVAL_REQUIRES_CONFIRMED_EMAIL", True),
        # The staff dashboard (admin/): idle timeout, a session's whole life, failed
        # sign-ins and failed codes (second factor) per address, page size.
        "STAFF_IDLE_MINUTES": _int("STAFF_IDLE_MINUTES", 15),
        "STAFF_SESSION_HOURS": _int("STAFF_SESSION_HOURS", 12),
        "STAFF_LOGIN_LIMIT": os.environ.get("STAFF_LOGIN_LIMIT", "10 per 15 minutes"),
        "STAFF_MFA_LIMIT": os.environ.get("STAFF_MFA_LIMIT", "10 per 15 minutes"),
        "STAFF_MAX_FAILED_LOGINS": _int("STAFF_MAX_FAILED_LOGINS", 100),
        "ADMIN_PAGE_SIZE": _int("ADMIN_PAGE_SIZE", 25),
        # "Forgot your password?": reset emails asked for, per staff email address.
        "STAFF_FORGOT_LIMIT": os.environ.get("STAFF_FORGOT_LIMIT", "5 per hour"),
        # Patients after submission (account/): idle timeout, failed sign-ins and recovery
        # attempts per address (Flask-Limiter), consecutive failures per account at which
        # the password stops working (NIST SP 800-63B 5.2.2: at most 100; the waits
        # before it are throttle_settings'), recovery link life, wrong-answer tries and
        # the recovery lock.
        "PATIENT_IDLE_MINUTES": _int("PATIENT_IDLE_MINUTES", 30),
        "PATIENT_SESSION_HOURS": _int("PATIENT_SESSION_HOURS", 12),
        "PATIENT_LOGIN_LIMIT": os.environ.get("PATIENT_LOGIN_LIMIT", "10 per 15 minutes"),
        "PATIENT_RECOVERY_LIMIT": os.environ.get("PATIENT_RECOVERY_LIMIT", "10 per hour"),
        "PATIENT_MAX_FAILED_LOGINS": _int("PATIENT_MAX_FAILED_LOGINS", 100),
        "RECOVERY_LINK_MINUTES": _int("RECOVERY_LINK_MINUTES", 60),
        "RECOVERY_TRIES": _int("RECOVERY_TRIES", 3),
        "RECOVERY_LOCK_MINUTES": _int("RECOVERY_LOCK_MINUTES", 20),
        **throttle_settings(),
        **human_check_settings(),
        **limit_settings(),
        # Flask-Limiter: memory:// for one process (make run); redis://... in production.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Compression: brotli first, gzip for the rest.
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_REGISTER": False,   # serving.init_compression: 4xx and 5xx too
        "COMPRESS_BR_LEVEL": 5,
        "COMPRESS_LEVEL": 6,
        "COMPRESS_MIN_SIZE": 300,
        "MAX_CONTENT_LENGTH": 64 * 1024,
        **language_settings(),
    }
