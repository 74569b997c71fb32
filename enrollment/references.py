"""A request's short reference, made by the server: "R-" and six characters from an
alphabet without look-alikes (no 0/O, 1/I/L, U), e.g. R-7F3KQ2.  Emails and pages name a
request by it and by the date it was sent, never by what the patient typed.

Random (secrets), 30**6 (about 729 million) values; `unique_reference` draws again on
the rare clash with a stored one, and the column is unique."""
import secrets

import sqlalchemy as sa

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 6
PREFIX = "R-"
TRIES = 8


def new_reference() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def unique_reference(session, model) -> str:
    """A reference no row of `model` holds yet (the unique index has the last word)."""
    for _ in range(TRIES):
        candidate = new_reference()
        taken = session.execute(sa.select(model.id).where(model.reference == candidate)
                                .limit(1)).first()
        if taken is None:
            return candidate
    raise RuntimeError("no free request reference after several draws")


def is_reference(value: str) -> bool:
    body = (value or "").removeprefix(PREFIX)
    return (value or "").startswith(PREFIX) and len(body) == LENGTH and \
        all(c in ALPHABET for c in body)
