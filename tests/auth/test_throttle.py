"""Nobody can lock someone else out.  After LOGIN_THROTTLE_AFTER
failures in a row each try waits (1 s, doubling, capped at 15 minutes); a try during
the wait is refused without looking at the password (or code) and is not counted; the
right password after the wait signs in.  A name without an account is throttled the
same way, so the sign-in page answers a throttled account byte for byte as it answers
an unknown name at the same count.  Time moves with the `clock` fixture; two browsers
stand for two app servers."""
import re

import pytest
import sqlalchemy as sa

import crypto
from admin.staff.models import StaffUser
from auth import credentials, throttle
from database import write_transaction
from enrollment.models import PatientAccount
from extensions import db
from tests.account.conftest import PASSWORD, PatientUser, account_of, deliver
from tests.admin.conftest import PASSWORD as STAFF_PASSWORD, Staff
from tests.admin.mfa_helpers import fresh_code

CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')
WAITS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]


def masked(resp, typed: str = "") -> tuple[int, str]:
    """Status and body, the CSRF token masked (and a typed address the staff form
    keeps in its field)."""
    body = CSRF.sub(r"\1-\2", resp.get_data(as_text=True))
    return resp.status_code, body.replace(typed, "TYPED") if typed else body


@pytest.fixture(autouse=True)
def generous_address_limits(app, monkeypatch):
    """The per-address limits are rule 3's; here one address tries many times."""
    monkeypatch.setitem(app.config, "PATIENT_LOGIN_LIMIT", "1000 per minute")
    monkeypatch.setitem(app.config, "STAFF_LOGIN_LIMIT", "1000 per minute")
    monkeypatch.setitem(app.config, "STAFF_MFA_LIMIT", "1000 per minute")


@pytest.fixture
def checks(monkeypatch) -> list:
    """Every argon2 verification a sign-in makes (the real ones, counted)."""
    seen = []
    real_verify, real_dummy = credentials.verify_secret, credentials.dummy_verify

    def verify(stored, secret):
        seen.append("verify")
        return real_verify(stored, secret)

    def dummy(secret):
        seen.append("dummy")
        return real_dummy(secret)
    monkeypatch.setattr(credentials, "verify_secret", verify)
    monkeypatch.setattr(credentials, "dummy_verify", dummy)
    return seen


def test_the_schedule_doubles_from_one_second_to_fifteen_minutes(app):
    with app.app_context():
        assert app.config["LOGIN_THROTTLE_AFTER"] == 5
        assert throttle.schedule(5 + len(WAITS)) == [(5 + i, s) for i, s in enumerate(WAITS)]
        assert throttle.wait_after(4) is None and throttle.wait_after(99).seconds == 900
        assert app.config["PATIENT_MAX_FAILED_LOGINS"] == 100
        assert app.config["STAFF_MAX_FAILED_LOGINS"] == 100


def test_a_throttled_patient_reads_exactly_like_an_unknown_username(
        app, patient, clock, checks, monkeypatch):
    monkeypatch.setitem(app.config, "PATIENT_MAX_FAILED_LOGINS", 14)
    owner = patient(sign_in=False)
    known = PatientUser(app.test_client(), owner.username, "", 0)     # one server
    unknown = PatientUser(app.test_client(), "nobody-by-this-name", "", 0)   # another
    for n in range(1, 15):
        pages = [masked(b.sign_in(password=f"wrong {n}")) for b in (known, unknown)]
        assert pages[0] == pages[1], n
        assert pages[0][0] == 401
        pause = wait(app, n)
        if pause is not None:
            # A try during the wait: refused unseen, not counted, the same page again.
            before = (len(checks), account_of(app, owner.username).failed_logins)
            during = [masked(b.sign_in(password=PASSWORD)) for b in (known, unknown)]
            assert during[0] == during[1] and "each new try has to wait" in during[0][1]
            assert (len(checks), account_of(app, owner.username).failed_logins) == before
            clock.advance(pause.total_seconds())
    # At the hard limit (14 here) the right password no longer works: the same page.
    locked = [masked(b.sign_in(password=PASSWORD)) for b in (known, unknown)]
    assert locked[0] == locked[1] and "This account is locked" in locked[0][1]
    assert account_of(app, owner.username).failed_logins == 14


def wait(app, failures: int):
    with app.app_context():
        return throttle.wait_after(failures)


def test_the_right_password_after_the_wait_signs_in(app, patient, clock, checks):
    owner = patient(sign_in=False)
    stranger = PatientUser(app.test_client(), owner.username, "", 0)
    for n in range(4):
        page = stranger.sign_in(password=f"guess {n}").get_data(as_text=True)
        assert "wait" not in page
    fifth = stranger.sign_in(password="guess 4").get_data(as_text=True)
    assert "The username or password is not right. After too many failed sign-ins, " \
        "each new try has to wait: wait 1 second before you try again." in fifth
    checked = len(checks)
    refused = owner.sign_in()   # the owner, during the wait: refused without a look
    assert refused.status_code == 401 and len(checks) == checked
    assert "Wait 1 second, then try again." in refused.get_data(as_text=True)
    row = account_of(app, owner.username)
    assert row.failed_logins == 5 and row.throttled_until == clock.now + wait(app, 5)
    clock.advance(1)
    assert owner.sign_in().status_code == 303
    row = account_of(app, owner.username)
    assert row.failed_logins == 0 and row.throttled_until is None


def test_a_stranger_cannot_lock_the_owner_out_for_more_than_the_cap(app, patient, clock):
    """Fifty wrong passwords, each made as soon as it may be: the owner still signs in
    at most 15 minutes after the last one."""
    owner = patient(sign_in=False)
    stranger = PatientUser(app.test_client(), owner.username, "", 0)
    for n in range(50):
        assert stranger.sign_in(password=f"guess {n}").status_code == 401
        pause = wait(app, n + 1)
        clock.advance(pause.total_seconds() if pause else 0)
    assert account_of(app, owner.username).failed_logins == 50
    assert owner.sign_in().status_code == 303


def notices(app, smtp, to: str) -> list:
    return [m for m in deliver(app, smtp, to) if "Many failed" in m.message["Subject"]]


def test_the_owner_hears_once_when_the_waits_start_and_only_if_confirmed(
        app, patient, clock, smtp):
    confirmed = patient(0, sign_in=False)
    unconfirmed = patient(1, sign_in=False, confirmed=False)
    for user in (confirmed, unconfirmed):
        stranger = PatientUser(app.test_client(), user.username, "", 0)
        for n in range(8):
            stranger.sign_in(password=f"guess {n}")
            clock.advance(600)
    [notice] = notices(app, smtp, confirmed.email)   # one, not one a failure
    assert notice.message["Subject"] == "Many failed sign-ins on your patient portal account"
    text = notice.part("plain")
    assert "there is nothing you need to do" in text and "/forgot-password" in text
    assert "up to 15 minutes" in text and f"Username: {confirmed.username}" in text
    assert notices(app, smtp, unconfirmed.email) == []   # never to an unconfirmed one
    # A sign-in ends the bout; the next bout is told again.
    assert confirmed.sign_in().status_code == 303
    confirmed.post("/logout")
    stranger = PatientUser(app.test_client(), confirmed.username, "", 0)
    for n in range(5):
        stranger.sign_in(password=f"again {n}")
    assert len(notices(app, smtp, confirmed.email)) == 2


def test_unknown_names_are_kept_by_keyed_hash_and_forgotten_after_keep_days(app, clock):
    stranger = PatientUser(app.test_client(), "  Nobody.Here ", "", 0)
    for n in range(3):
        stranger.sign_in(password=f"x{n}")
    with app.app_context():
        rows = db.session.execute(sa.select(throttle.LoginThrottle)).scalars().all()
        assert [(r.key_hash, r.failures) for r in rows] == [
            (crypto.index_hash("patient:nobody.here"), 3)]
        assert "nobody" not in rows[0].key_hash
    clock.advance(app.config["LOGIN_THROTTLE_KEEP_DAYS"] * 86400 + 1)
    PatientUser(app.test_client(), "someone-else", "", 0).sign_in(password="x")
    with app.app_context():   # the expired row went with the next failure's purge
        keys = db.session.execute(sa.select(throttle.LoginThrottle.key_hash)).scalars().all()
        assert keys == [crypto.index_hash("patient:someone-else")]
    stranger.sign_in(password="again")
    with app.app_context():
        assert throttle.unknown_count(crypto.index_hash("patient:nobody.here")).failures == 1


def test_unknown_names_are_counted_in_redis_when_the_limits_are(app, clock, monkeypatch):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/11")
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = "i12-mail-test:signin:"
    monkeypatch.setattr(throttle, "REDIS_PREFIX", prefix)
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/11")
    monkeypatch.delitem(app.extensions, throttle.REDIS_EXTENSION, raising=False)
    try:
        stranger = PatientUser(app.test_client(), "redis-nobody", "", 0)
        pages = [stranger.sign_in(password=f"x{n}").get_data(as_text=True)
                 for n in range(5)]
        assert "wait 1 second before" in pages[-1] and "wait" not in pages[-2]
        assert "Wait 1 second, then" in stranger.sign_in(password="y").get_data(
            as_text=True)
        clock.advance(1)
        assert "wait 2 seconds before" in stranger.sign_in(password="z").get_data(
            as_text=True)
        [key] = client.keys(prefix + "*")
        assert key.decode() == prefix + crypto_key(app, "redis-nobody")
        assert 0 < client.ttl(key) <= app.config["LOGIN_THROTTLE_KEEP_DAYS"] * 86400
        with app.app_context():
            assert db.session.execute(sa.select(sa.func.count()).select_from(
                throttle.LoginThrottle)).scalar_one() == 0   # not in the table
    finally:
        for key in client.keys(prefix + "*"):
            client.delete(key)
        app.extensions.pop(throttle.REDIS_EXTENSION, None)
        client.close()


def crypto_key(app, name: str) -> str:
    with app.app_context():
        return throttle.name_key("patient", name)


# --- staff ------------------------------------------------------------------------------

def test_a_throttled_staff_member_reads_exactly_like_an_unknown_address(
        app, make_staff, clock):
    ana = make_staff(sign_in=False)
    known = Staff(app.test_client(), ana.email)
    unknown = Staff(app.test_client(), "nobody@riverside.example")
    for n in range(1, 10):
        pages = [masked(b.sign_in(password=f"wrong {n}"), b.email) for b in (known, unknown)]
        assert pages[0] == pages[1] and pages[0][0] == 422, n
        pause = wait(app, n)
        if pause is not None:
            during = [masked(b.sign_in(), b.email) for b in (known, unknown)]
            assert during[0] == during[1] and "each new try has to wait" in during[0][1]
            clock.advance(pause.total_seconds())
    assert known.sign_in().status_code == 303   # after the wait: on to the code step


def test_wrong_codes_are_throttled_like_passwords(app, make_staff, clock, smtp):
    """The second factor's failures go through the one counter: a code typed during a
    wait is refused without being looked at; after it, the right code signs in."""
    ana = make_staff()    # enrolled through the real pages
    ana.post("/admin/logout")
    assert ana.sign_in_password().status_code == 303
    for _ in range(5):
        assert ana.enter_code("000000").status_code == 422
    row = staff_row(app, ana.email)
    assert row.failed_logins == 5 and row.throttled_until == clock.now + wait(app, 5)
    refused = ana.enter_code()   # the right code, during the wait
    assert refused.status_code == 422
    assert "each new try has to wait" in refused.get_data(as_text=True)
    assert staff_row(app, ana.email).failed_logins == 5    # not counted
    [notice] = notices(app, smtp, ana.email)
    assert "/admin/forgot" in notice.part("plain")
    clock.advance(1)
    resp = ana.enter_code(fresh_code(app, ana.email))
    assert resp.status_code == 303 and resp.headers["Location"] == "/admin/"
    assert staff_row(app, ana.email).failed_logins == 0


def test_a_staff_reset_link_opens_the_hard_limit(app, make_staff, clock, smtp, monkeypatch):
    """At STAFF_MAX_FAILED_LOGINS the password stops working; a reset link opens it
    (and still ends at the code step: email alone never skips the second factor)."""
    ana = make_staff()
    ana.post("/admin/logout")
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(StaffUser).values(failed_logins=100))
    resp = ana.sign_in_password(STAFF_PASSWORD)
    assert resp.status_code == 422 and "locked" in resp.get_data(as_text=True)
    reader = Staff(app.test_client(), ana.email)
    reader.get("/admin/forgot")
    reader.post("/admin/forgot", {"email": ana.email})
    from tests.admin.test_staff_onboarding import deliver as deliver_link
    _, link = deliver_link(app, smtp, ana.email)
    reader.get(link)
    new = "a fresh staff sentence 2027"
    done = reader.post(link, {"password": new, "confirm": new})
    assert done.status_code == 303 and done.headers["Location"] == "/admin/login/code"
    row = staff_row(app, ana.email)
    assert row.failed_logins == 0 and row.throttled_until is None


def staff_row(app, email: str) -> StaffUser:
    with app.app_context():
        return db.session.execute(sa.select(StaffUser).where(StaffUser.email == email)
                                  .execution_options(populate_existing=True)).scalar_one()


def test_a_patient_reset_clears_the_wait(app, patient, clock):
    owner = patient(sign_in=False)
    for n in range(7):
        PatientUser(app.test_client(), owner.username, "", 0).sign_in(password=f"g{n}")
    from account.patients import set_password
    with app.test_request_context():
        set_password(account_of(app, owner.username), "a brand new sentence 77")
    row = account_of(app, owner.username)
    assert (row.failed_logins, row.throttled_until) == (0, None)
    assert owner.sign_in(password="a brand new sentence 77").status_code == 303


def test_patient_rows_keep_the_wait_across_servers(app, patient, clock):
    owner = patient(sign_in=False)
    servers = [PatientUser(app.test_client(), owner.username, "", 0) for _ in range(2)]
    for n in range(5):
        servers[n % 2].sign_in(password=f"g{n}")
    with app.app_context():
        until = db.session.execute(sa.select(PatientAccount.throttled_until).where(
            PatientAccount.username == owner.username)).scalar_one()
    assert until == clock.now + wait(app, 5)
    for server in servers:
        assert "each new try has to wait" in server.sign_in().get_data(as_text=True)
