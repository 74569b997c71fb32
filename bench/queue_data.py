"""Realistic enrollment requests for bench/queue.py, generated deterministically and
inserted in bulk (executemany in chunks): varied names, emails, usernames, phones,
dates of birth and statuses, spread over several practices and two years."""
import random
from datetime import date, datetime, timedelta

import sqlalchemy as sa

import crypto
from enrollment import name_words
from enrollment.models import EnrollmentRequest, PatientAccount, Practice
from enrollment.references import ALPHABET, LENGTH, PREFIX
from enrollment.name_words import RequestNameWord
from extensions import db

FIRST = ("Maria Mark Martin Marcus James Jane John Joanna Joseph Linda Michael Mary "
         "Patricia Robert Jennifer William Elizabeth David Barbara Richard Susan Thomas "
         "Jessica Charles Sarah Christopher Karen Daniel Nancy Matthew Lisa Anthony Betty "
         "Donald Sandra Steven Ashley Paul Kimberly Andrew Emily Joshua Donna Kenneth "
         "Michelle Kevin Carol Brian Amanda George Melissa Timothy Deborah Ronald "
         "Stephanie Jason Rebecca Edward Sharon Jeffrey Laura Ryan Cynthia Jacob Amy "
         "Gary Kathleen Nicholas Angela Eric Shirley Jonathan Anna Wei Priya Ahmed Fatima "
         "Olga Jose Luis Ana Chen Aiko Kwame Amara Sven Ingrid Tomas Lucia Dmitri Yusuf").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez "
        "Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee "
        "Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young "
        "Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall "
        "Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker "
        "Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez "
        "Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward "
        "Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes "
        "Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Okafor "
        "Delgado Kowalski Novak Schmidt Rossi Tanaka Haddad Osei Larsen").split()
DOMAINS = ("example.org", "example.com", "mail.example.net", "patients.example",
           "inbox.example.org")
STREETS = ("Elm Street", "Oak Road", "Maple Avenue", "Cedar Lane", "Pine Court",
           "Lakeview Drive", "Main Street", "Hillcrest Way")
STATES = ("IL", "WI", "IN", "MI", "OH", "MN", "IA", "MO")
# Practice weights: one large practice (the one measured: 70 000 of the 100 000, and at
# 100 rows still a full first page of pending and approved requests), three smaller.
WEIGHTS = (0.7, 0.1, 0.1, 0.1)
STATUS = (("pending", 0.4), ("approved", 0.45), ("rejected", 0.15))
NOW = datetime(2026, 11, 28, 8, 0, 0)
CHUNK = 5000


def _status(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for status, weight in STATUS:
        acc += weight
        if x < acc:
            return status
    return STATUS[-1][0]


def rows(n: int, practice_ids: list, seed: int = 6):
    """Yield (account or None, request) dicts for ids 1..n; the first rows are the same
    whatever n, so the small table is the start of the large one."""
    rng = random.Random(seed)
    for i in range(1, n + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        practice = rng.choices(practice_ids, WEIGHTS[:len(practice_ids)])[0]
        status = _status(rng)
        created = NOW - timedelta(seconds=rng.randrange(730 * 86400))
        account = None if status == "rejected" else {
            "id": i, "practice_id": practice, "password_hash": "$argon2id$bench",
            "username": f"{first[0]}{last}{i}".lower(), "active": status == "approved",
            "locale": "en", "created_at": created,
            "username_hash": crypto.name_hash(f"{first[0]}{last}{i}")}
        yield account, {
            "id": i, "practice_id": practice, "account_id": account and i,
            "status": status, "locale": "en", "first_name": first,
            "middle_name": rng.choice(("", "", "A.", "Lee")), "last_name": last,
            "street": f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}", "line2": "",
            "city": "Springfield", "state": rng.choice(STATES),
            "zip_code": f"{rng.randrange(10000, 99999)}",
            "phone": f"+1{rng.randrange(201, 989)}555{rng.randrange(10000):04d}",
            # Encrypted by the column's type; its search hash as the app writes it.
            # (drawn where it always was: the same rows as before for the same seed)
            "date_of_birth": (born := date(1930, 1, 1) + timedelta(days=rng.randrange(28000))),
            "dob_hash": crypto.index_hash(born),
            "email": (email := f"{first}.{last}{rng.randrange(1000)}@"
                      f"{rng.choice(DOMAINS)}".lower()),
            "email_hash": (email_hash := crypto.name_hash(email)),
            "reference": reference_of(i),
            "terms_version": "2026-11-01", "terms_accepted_at": created,
            "email_consent_at": created, "created_at": created,
            "decided_at": None if status == "pending" else created + timedelta(days=1),
            **_confirmed(created, email_hash, rng.random() < 0.8)}


def _confirmed(at, email_hash: str, confirmed: bool) -> dict:
    return {"email_confirmed_at": at if confirmed else None,
            "email_confirmed_hash": email_hash if confirmed else None}


def reference_of(i: int) -> str:
    """A reference of its own for row i (references.py's form; unique, not random)."""
    chars = []
    for _ in range(LENGTH):
        i, digit = divmod(i, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return PREFIX + "".join(reversed(chars))


def _flush(accounts: list, requests: list) -> None:
    if accounts:
        db.session.execute(sa.insert(PatientAccount.__table__), accounts)
    if requests:
        db.session.execute(sa.insert(EnrollmentRequest.__table__), requests)
        # The keyed hashes of the names' folded words, as the app writes them.
        db.session.execute(sa.insert(RequestNameWord.__table__), [
            word for r in requests for word in name_words.rows_for(
                r["id"], r["practice_id"], r["created_at"], r["first_name"],
                r["middle_name"], r["last_name"])])
    accounts.clear()
    requests.clear()


def fill(n: int) -> list:
    """Insert n requests (and their accounts); return the practices' ids, largest first."""
    practice_ids = list(db.session.execute(
        sa.select(Practice.id).order_by(Practice.id)).scalars())
    accounts, requests = [], []
    for account, req in rows(n, practice_ids):
        if account:
            accounts.append(account)
        requests.append(req)
        if len(requests) >= CHUNK:
            _flush(accounts, requests)
    _flush(accounts, requests)
    if db.engine.dialect.name == "postgresql":   # explicit ids: move the sequences on
        for table in ("patient_account", "enrollment_request"):
            db.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    db.session.commit()
    # PostgreSQL as autovacuum leaves it (statistics; the visibility map keeps counts
    # over the queue index index-only).  SQLite as the app leaves it: no ANALYZE (the
    # queries must not need statistics), the bulk insert's log checkpointed.
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    else:
        db.engine.dispose()
        with db.engine.connect() as conn:
            conn.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)")).fetchall()
    return practice_ids
