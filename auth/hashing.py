"""The argon2id hasher used everywhere (passwords, security answers), at the configured
cost (ARGON2_TIME_COST, ARGON2_MEMORY_COST, ARGON2_PARALLELISM)."""
from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import ARGON2_VERSION
from flask import current_app

_DUMMY_SECRET = "not a real password, only for timing"


def _key() -> tuple[int, int, int]:
    cfg = current_app.config
    return cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"]


def hasher() -> PasswordHasher:
    key = _key()
    cache = current_app.extensions.setdefault("argon2", {})
    if key not in cache:
        cache[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1],
                                    parallelism=key[2], type=Type.ID)
    return cache[key]


def hash_secret(secret: str) -> str:
    return hasher().hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    if not stored_hash:
        return False
    try:
        return hasher().verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def dummy_verify(secret: str) -> None:
    """One verification against a hash of nobody's, at the configured cost: an unknown
    user (or a locked one) costs as long as a wrong password."""
    cache = current_app.extensions.setdefault("argon2_dummy", {})
    key = _key()
    if key not in cache:
        cache[key] = hash_secret(_DUMMY_SECRET)
    verify_secret(cache[key], secret)


def needs_rehash(stored_hash: str) -> bool:
    """True when `stored_hash` (just verified) was made cheaper than the configured cost
    in some way: another type, an older version, a lower time, memory or parallelism, a
    shorter salt or hash.  A hash that is as strong in every way is kept, even when the
    configuration is lower."""
    if not hasher().check_needs_rehash(stored_hash):
        return False
    try:
        stored = extract_parameters(stored_hash)
    except InvalidHashError:
        return False
    wanted = hasher()
    return (stored.type != wanted.type or stored.version < ARGON2_VERSION
            or any(getattr(stored, name) < getattr(wanted, name) for name in (
                "time_cost", "memory_cost", "parallelism", "salt_len", "hash_len")))
