"""Several servers, one truth: two gunicorn app servers on one PostgreSQL database and one
Redis, behind a real nginx (round robin, one worker: requests alternate strictly), driven
through nginx over real HTTP.  Each app server names itself in X-Served-By, so every
assertion knows which server answered.  Clients connect from their own loopback
addresses (127.0.0.2 and up): nginx listens on 127.0.0.1 and connects to the app servers
from 127.0.0.1, the one address in their TRUSTED_PROXIES.

The cluster and its parts: conftest.py (module-scoped, about 10 s to start)."""
import re
import time

import pyotp
import pytest

from tests.admin.mfa_helpers import key_on_page
from tests.deploy.conftest import LOGIN_LIMIT, STAFF_EMAIL, STAFF_PASSWORD
from tests.deploy.lb_client import Browser, solve
from tests.wizard import GOOD

pytestmark = pytest.mark.postgres

PATIENT, LIMITED, UNLIMITED, STAFF, DIRECT = (f"127.0.0.{n}" for n in range(2, 7))
FORGED = "203.0.113.9"
PATIENT_EMAIL = "lb.patient@example.org"
SERVERS = {"app-1", "app-2"}
RECOVERY_POSTS = 10


def via_proxy(lb, source: str, **headers) -> Browser:
    return Browser(lb.cluster.proxy_url, source, headers)


def next_lands_away_from(lb, server: str) -> None:
    """nginx alternates: ask /healthz until `server` answered, so the next request
    (from anyone) goes to the other server."""
    probe = via_proxy(lb, "127.0.0.250")
    for _ in range(3):
        if probe.get("/healthz").headers["X-Served-By"] == server:
            return
    raise AssertionError(f"{server} never answered: {probe.served}")


def walk_to_insurance(browser: Browser, practice_id: int, personal: dict) -> str:
    """The first two steps, each POST's redirect followed; returns the insurance page."""
    browser.get("/enroll/practice")
    browser.follow(browser.post("/enroll/practice", {"practice": practice_id,
                                                     "action": "next"}))
    page = browser.follow(browser.post("/enroll/personal", {**personal, "action": "next"}))
    assert page.status_code == 200 and "human_check" in page.text
    return page.text


def finish(browser: Browser) -> None:
    for step in ("credentials", "security"):
        browser.follow(browser.post(f"/enroll/{step}", {**GOOD[step], "action": "next"}))
    done = browser.follow(browser.post("/enroll/review", {**GOOD["review"],
                                                           "action": "complete"}))
    assert done.status_code == 200 and done.url.endswith("/enroll/done"), done.text[:2000]


@pytest.fixture(scope="module")
def enrolled(lb):
    """One patient's whole enrollment through nginx, the proof of work on."""
    [(practice_id,)] = lb.sql("SELECT id FROM practice WHERE slug = 'riverside-family'")
    patient = via_proxy(lb, PATIENT)
    page = walk_to_insurance(patient, practice_id, {**GOOD["personal"],
                                                    "email": PATIENT_EMAIL})
    payload = solve(page)
    accepted = patient.post("/enroll/insurance", {"human_check_proof": payload, "human_check": "y",
                                                  "action": "next"})
    accepted_by = patient.served[-1]
    patient.follow(accepted)
    finish(patient)
    [(request_id,)] = lb.sql("SELECT id FROM enrollment_request WHERE email = %s",
                             PATIENT_EMAIL)
    return {"patient": patient, "payload": payload, "accepted_by": accepted_by,
            "practice_id": practice_id, "request_id": request_id}


def test_healthz_answers_through_the_proxy(lb):
    resp = via_proxy(lb, PATIENT).get("/healthz")
    assert (resp.status_code, resp.text) == (200, "ok\n")
    assert resp.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in resp.headers


def test_an_enrollment_alternates_servers_and_a_used_solution_is_refused(lb, enrolled):
    served = enrolled["patient"].served
    assert len(served) == 13 and set(served) == SERVERS
    assert all(a != b for a, b in zip(served, served[1:])), served   # every hop switched
    # The same solution, by another patient, on the server that did not accept it:
    other = via_proxy(lb, PATIENT)
    walk_to_insurance(other, enrolled["practice_id"], {**GOOD["personal"],
                                                       "email": "lb.other@example.org"})
    next_lands_away_from(lb, enrolled["accepted_by"])
    replay = other.post("/enroll/insurance", {"human_check_proof": enrolled["payload"],
                                              "human_check": "y", "action": "next"})
    assert other.served[-1] != enrolled["accepted_by"]
    assert replay.status_code == 422
    assert "already used" in replay.text


def test_patient_sign_in_failures_count_across_servers(lb):
    browser = via_proxy(lb, LIMITED)
    browser.get("/login")
    wrong = {"username": "MariaD84", "password": "not the password at all"}
    codes = [browser.post("/login", wrong).status_code for _ in range(LOGIN_LIMIT + 1)]
    assert codes == [401] * LOGIN_LIMIT + [429]          # memory:// per server: 401 x 4
    assert set(browser.served[1:]) == SERVERS
    # The limit is the client's (X-Forwarded-For from nginx), not nginx's: another
    # address behind the same proxy may still try ...
    other = via_proxy(lb, UNLIMITED)
    other.get("/login")
    assert other.post("/login", wrong).status_code == 401
    # ... and a forged X-Forwarded-For sent straight to an app server changes nothing.
    for server in lb.cluster.servers:
        direct = browser.clone(LIMITED, base=server.url)
        direct.session.headers["X-Forwarded-For"] = FORGED
        assert direct.post("/login", wrong).status_code == 429


PHONE = {}   # the staff member's authenticator app: the key, the last step it showed


def next_code() -> str:
    """The app's code: the current step's, or the next one's (one step of drift is
    accepted) when the current step's code was used already."""
    step = max(int(time.time()) // 30, PHONE.get("step", -1) + 1)
    PHONE["step"] = step
    return pyotp.TOTP(PHONE["key"]).at(step * 30)


def staff_signed_in(lb) -> Browser:
    """Password, then the second factor: enrolled through its pages the first time
    (the key read off the page, as a phone scans it), a code after that."""
    staff = via_proxy(lb, STAFF, **{"X-Forwarded-For": FORGED})   # forged: must not count
    staff.get("/admin/login")
    staff.follow(staff.post("/admin/login", {"email": STAFF_EMAIL,
                                             "password": STAFF_PASSWORD}))
    if "key" not in PHONE:
        PHONE["key"] = key_on_page(staff.last.text)
        staff.follow(staff.post("/admin/login/enroll", {"code": next_code()}))
        staff.follow(staff.post("/admin/login/recovery-codes", {}))
    else:
        staff.follow(staff.post("/admin/login/code", {"code": next_code()}))
    assert staff.last.status_code == 200 and "/admin/logout" in staff.last.text
    return staff


def test_the_audit_trail_records_the_client_address_never_a_forged_one(lb, enrolled):
    staff = staff_signed_in(lb)
    path = f"/admin/requests/{enrolled['request_id']}"
    assert staff.get(path).status_code == 200                       # through nginx
    direct = staff.clone(DIRECT, base=lb.cluster.servers[0].url)     # straight, forged
    assert direct.get(path).status_code == 200
    rows = lb.sql("SELECT ip FROM audit_event WHERE request_id = %s AND action = 'viewed' "
                  "ORDER BY id", enrolled["request_id"])
    assert [ip for (ip,) in rows] == [STAFF, DIRECT]


def test_a_staff_session_signed_out_on_one_server_is_refused_by_the_other(lb):
    staff = staff_signed_in(lb)
    copy = staff.clone(STAFF)                   # the cookie as it was, kept
    for _ in range(2):                          # valid on both servers
        assert copy.get("/admin/").status_code == 200
    assert set(copy.served) == SERVERS
    assert staff.post("/admin/logout", {}).status_code in (302, 303)
    signed_out_on = staff.served[-1]
    next_lands_away_from(lb, signed_out_on)
    refused = copy.get("/admin/")
    assert copy.served[-1] != signed_out_on
    assert refused.status_code in (302, 303)
    assert refused.headers["Location"].startswith("/admin/login")


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return result


def test_two_senders_deliver_each_message_exactly_once(lb, enrolled):
    # The usernames go to a confirmed address only: mark this one confirmed (its link
    # is used by test_no_link_token_reaches_an_access_log).
    lb.sql("UPDATE enrollment_request SET email_confirmed_hash = email_hash, "
           "email_confirmed_at = now() WHERE id = %s RETURNING id", enrolled["request_id"])
    patient = via_proxy(lb, PATIENT)
    patient.get("/forgot-username")
    for _ in range(RECOVERY_POSTS):     # a job each, which emails the usernames
        assert patient.post("/forgot-username", {"email": PATIENT_EMAIL}).status_code == 200
    assert set(patient.served) == SERVERS
    [(jobs,)] = lb.sql("SELECT count(*) FROM outbox_message WHERE kind = 'job'")
    assert jobs == RECOVERY_POSTS
    wait_for(lambda: lb.sql("SELECT count(*) FROM outbox_message "
                            "WHERE status NOT IN ('sent', 'done')") == [(0,)]
             and lb.sql("SELECT count(*) FROM outbox_message WHERE kind = 'email'")
             == [(RECOVERY_POSTS + 1,)], 30, "every job done and every message sent")
    queued = RECOVERY_POSTS + 1                     # and the "request received" email
    ids = [m.message_id for m in lb.smtp.messages]
    assert len(ids) == queued and len(set(ids)) == queued        # each once, none twice
    assert {tuple(m.rcpt_tos) for m in lb.smtp.messages} == {(PATIENT_EMAIL,)}
    logs = [s.log.read_text() for s in lb.senders]
    sent = [sum(map(int, re.findall(r"outbox: (\d+) sent", log))) for log in logs]
    done = [sum(map(int, re.findall(r"(\d+) job\(s\) done", log))) for log in logs]
    assert all(s.proc.poll() is None for s in lb.senders)        # no crash
    assert sum(sent) == queued and sum(done) == jobs, (sent, done)
    assert all(a + b for a, b in zip(sent, done)), (sent, done)  # both took part


def test_no_link_token_reaches_an_access_log(lb, enrolled):
    received = wait_for(lambda: [m for m in lb.smtp.messages
                                 if "received your enrollment request" in m.message["Subject"]],
                        30, "the request-received email")
    token = re.search(r"/enroll/confirm/([A-Za-z0-9_\-]+)", received[0].part("plain")).group(1)
    patient = via_proxy(lb, PATIENT)
    assert patient.get(f"/enroll/confirm/{token}").status_code == 200
    assert patient.post(f"/enroll/confirm/{token}", {}).status_code in (200, 303)
    [(confirmed,)] = lb.sql("SELECT email_confirmed_at IS NOT NULL FROM enrollment_request "
                            "WHERE id = %s", enrolled["request_id"])
    assert confirmed
    folder = lb.cluster.folder
    logs = {p.name: p.read_text() for p in [folder / "nginx-access.log",
                                            *(s.access_log for s in lb.cluster.servers)]}
    assert all(token not in text for text in logs.values())
    assert all("/enroll/confirm/[token]" in text for text in logs.values()), logs.keys()
    # The app servers' access logs name the client nginx saw, not nginx.
    assert all(re.search(rf"^{re.escape(PATIENT)} - ", text, re.M)
               for name, text in logs.items() if name.startswith("app-"))
