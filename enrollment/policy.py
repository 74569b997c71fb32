"""Username and password policy: pure functions, no Flask.

Each check returns a list of (code, params) problems; forms turn codes into translated
messages.  The limits come from configuration and are passed in.
"""
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

USERNAME_RE = re.compile(r"^[A-Za-z0-9._@-]+$")
NAME_PART_MIN = 3


@dataclass(frozen=True)
class Limits:
    username_min: int = 6
    username_max: int = 50
    password_min: int = 12
    password_max: int = 128


@lru_cache(maxsize=1)
def common_passwords() -> frozenset:
    """30 000 common and breached passwords (zxcvbn's frequency list), offline."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS
    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_username(username: str, limits: Limits) -> list:
    problems = []
    if len(username) < limits.username_min or len(username) > limits.username_max:
        problems.append(("username_length",
                         {"min": limits.username_min, "max": limits.username_max}))
    if username and not USERNAME_RE.match(username):
        problems.append(("username_chars", {}))
    return problems


def _fold(text: str) -> str:
    """Lower case without accents, for containment checks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_parts(*names: str) -> list:
    """The parts of a name worth refusing in a password: 3 letters or more."""
    parts = []
    for name in names:
        for part in re.split(r"[^\w]+", _fold(name or "")):
            if len(part) >= NAME_PART_MIN:
                parts.append(part)
    return parts


def check_password(password: str, limits: Limits, username: str = "",
                   names: tuple = (), practice_name: str = "") -> list:
    if len(password) < limits.password_min:
        return [("password_short", {"min": limits.password_min})]
    if len(password) > limits.password_max:
        return [("password_long", {"max": limits.password_max})]
    problems = []
    folded = _fold(password)
    if folded in common_passwords() or password.lower() in common_passwords():
        problems.append(("password_common", {}))
    if username and _fold(username) in folded:
        problems.append(("password_username", {}))
    if any(part in folded for part in name_parts(*names)):
        problems.append(("password_name", {}))
    practice = _fold(practice_name).strip()
    if practice and (practice in folded or practice.replace(" ", "") in folded.replace(" ", "")):
        problems.append(("password_practice", {}))
    return problems


def normalise_answer(answer: str) -> str:
    """Security answers compare without regard to case, spacing or accents."""
    return " ".join(_fold(answer).split())
