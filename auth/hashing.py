"""The argon2id hasher used everywhere (passwords, security answers, later tokens)."""
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def hasher() -> PasswordHasher:
    cfg = current_app.config
    key = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"])
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
