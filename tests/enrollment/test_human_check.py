"""The human check ("I'm not a robot"): real challenges solved by the altcha package."""
import base64
import gzip
import html
import json
import re
import time
from pathlib import Path

import altcha
import itsdangerous
import pytest

from extensions import limiter
from tests.wizard import Patient

CHALLENGE_RE = re.compile(r'data-challenge="([^"]+)"')
TOKEN_RE = re.compile(r'name="human_check_token" value="([^"]+)"')
INSURANCE = {"carrier": "Acme Health", "member_id": "XJ1234", "group_number": "",
             "subscriber_name": "Maria Delgado", "relationship": "self",
             "claim_street": "PO Box 1", "claim_line2": "", "claim_city": "Austin",
             "claim_state": "TX", "claim_zip": "73301"}


@pytest.fixture
def robot_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "HUMAN_CHECK", True)
    monkeypatch.setitem(app.config, "HUMAN_CHECK_COST", 50)
    with app.app_context():
        limiter.reset()
    return app


def at_insurance(client, practices, htmx=False):
    patient = Patient(client, htmx=htmx)
    patient.complete_through("personal", practices["hillcrest-internal"])
    page = patient.get("/enroll/insurance").get_data(as_text=True)
    return patient, page


def widget(page):
    challenge = json.loads(html.unescape(CHALLENGE_RE.search(page).group(1)))
    return challenge, TOKEN_RE.search(page).group(1)


def solved(challenge: dict) -> str:
    solution = altcha.solve_challenge(altcha.Challenge.from_dict(challenge), timeout=20)
    assert solution is not None
    payload = {"challenge": challenge, "solution": solution.to_dict()}
    return base64.b64encode(json.dumps(payload).encode()).decode()


def post_insurance(patient, **extra):
    return patient.step("insurance", {**INSURANCE, **extra})


def test_page_has_a_real_labelled_checkbox_and_live_region(client, practices, robot_on):
    _, page = at_insurance(client, practices)
    assert '<input type="checkbox" id="human_check" name="human_check"' in page
    assert re.search(r'<label for="human_check">I(\'|&#39;)m not a robot</label>', page)
    assert 'aria-live="polite"' in page and 'id="human-check-status"' in page


def test_solved_challenge_is_accepted(client, practices, robot_on):
    patient, page = at_insurance(client, practices)
    challenge, _ = widget(page)
    resp = post_insurance(patient, human_check_proof=solved(challenge), human_check="y")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/enroll/credentials")


def test_solved_challenge_is_accepted_over_htmx(client, practices, robot_on):
    patient, page = at_insurance(client, practices, htmx=True)
    challenge, _ = widget(page)
    resp = post_insurance(patient, human_check_proof=solved(challenge), human_check="y")
    assert resp.status_code == 200
    assert resp.headers["HX-Push-Url"].endswith("/enroll/credentials")


def test_no_solution_is_refused_and_draft_kept(client, practices, robot_on):
    patient, _ = at_insurance(client, practices)
    resp = post_insurance(patient)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert re.search(r"Select “I(\'|&#39;)m not a robot” before you select Next.", body)
    assert 'value="Acme Health"' in body   # what was typed comes back
    personal = patient.get("/enroll/personal").get_data(as_text=True)
    assert 'value="Delgado"' in personal   # the saved step is intact
    assert patient.get("/enroll/credentials").status_code == 303


@pytest.mark.parametrize("tamper", ["signature", "counter", "garbage", "prefix"])
def test_forged_solution_is_refused(client, practices, robot_on, tamper):
    patient, page = at_insurance(client, practices)
    challenge, _ = widget(page)
    payload = json.loads(base64.b64decode(solved(challenge)))
    if tamper == "signature":
        payload["challenge"]["signature"] = "0" * 64
    elif tamper == "counter":
        payload["solution"]["counter"] += 1
    elif tamper == "prefix":   # an easier puzzle than the one we signed
        payload["challenge"]["parameters"]["keyPrefix"] = ""
    forged = base64.b64encode(json.dumps(payload).encode()).decode()
    if tamper == "garbage":
        forged = "not-base64-%%%"
    resp = post_insurance(patient, human_check_proof=forged, human_check="y")
    assert resp.status_code == 422
    assert "did not work" in resp.get_data(as_text=True)


def test_expired_challenge_is_refused(client, practices, robot_on, monkeypatch):
    monkeypatch.setitem(robot_on.config, "HUMAN_CHECK_EXPIRES_SECONDS", -60)
    patient, page = at_insurance(client, practices)
    challenge, _ = widget(page)
    monkeypatch.setitem(robot_on.config, "HUMAN_CHECK_EXPIRES_SECONDS", 600)
    resp = post_insurance(patient, human_check_proof=solved(challenge), human_check="y")
    assert resp.status_code == 422
    assert "expired" in resp.get_data(as_text=True)


def test_reused_solution_is_refused(app, client, practices, robot_on):
    """A solution works once: another draft (the same draft is not asked again)."""
    patient, page = at_insurance(client, practices)
    challenge, _ = widget(page)
    payload = solved(challenge)
    assert post_insurance(patient, human_check_proof=payload, human_check="y").status_code == 303
    other, _ = at_insurance(app.test_client(), practices)
    resp = post_insurance(other, human_check_proof=payload, human_check="y")
    assert resp.status_code == 422
    assert "already used" in resp.get_data(as_text=True)


def test_fallback_without_javascript(app, client, practices, robot_on, monkeypatch):
    monkeypatch.setitem(robot_on.config, "HUMAN_CHECK_FALLBACK_MIN_SECONDS", 0)
    patient, page = at_insurance(client, practices)
    _, token = widget(page)
    unticked = post_insurance(patient, human_check_token=token)
    assert unticked.status_code == 422
    ok = post_insurance(patient, human_check="y", human_check_token=token)
    assert ok.status_code == 303
    other, _ = at_insurance(app.test_client(), practices)
    again = post_insurance(other, human_check="y", human_check_token=token)
    assert again.status_code == 422 and "already used" in again.get_data(as_text=True)


def test_fallback_token_expires(client, practices, robot_on, monkeypatch):
    monkeypatch.setitem(robot_on.config, "HUMAN_CHECK_FALLBACK_MIN_SECONDS", 0)
    patient, _ = at_insurance(client, practices)
    signer = itsdangerous.URLSafeTimedSerializer(robot_on.config["SECRET_KEY"],
                                                 salt="human-check-fallback")
    with monkeypatch.context() as patch:   # a token signed 700 s ago
        patch.setattr(itsdangerous.TimestampSigner, "get_timestamp",
                      lambda self: int(time.time()) - 700)
        old = signer.dumps("cafebabe")
    resp = post_insurance(patient, human_check="y", human_check_token=old)
    assert resp.status_code == 422 and "expired" in resp.get_data(as_text=True)


def test_fallback_is_rate_limited_per_address(app, practices, robot_on, monkeypatch):
    monkeypatch.setitem(robot_on.config, "HUMAN_CHECK_FALLBACK_MIN_SECONDS", 0)
    monkeypatch.setitem(robot_on.config, "HUMAN_CHECK_FALLBACK_LIMIT", "2 per hour")
    codes = []
    for _ in range(3):   # three sign-ups from one address
        patient, page = at_insurance(app.test_client(), practices)
        _, token = widget(page)
        codes.append(post_insurance(patient, human_check="y", human_check_token=token))
    assert [resp.status_code for resp in codes] == [303, 303, 429]
    assert "Try again in 60 minutes" in codes[2].get_data(as_text=True)
    assert 3500 <= int(codes[2].headers["Retry-After"]) <= 3600


def test_check_off_lets_posts_through(client, practices):
    patient = Patient(client)
    patient.complete_through("personal", practices["hillcrest-internal"])
    assert post_insurance(patient).status_code == 303


def test_purge_removes_expired_records(app, runner, client, practices, robot_on):
    patient, page = at_insurance(client, practices)
    challenge, _ = widget(page)
    resp = post_insurance(patient, human_check_proof=solved(challenge), human_check="y")
    assert resp.status_code == 303
    from enrollment.human_check import UsedChallenge
    from extensions import db
    with app.app_context():
        db.session.execute(UsedChallenge.__table__.update().values(expires_at=UsedChallenge.expires_at.type.python_type(2000, 1, 1)))
        db.session.commit()
    result = runner.invoke(args=["purge"])
    assert "expired human-check records deleted: 1" in result.output


def test_script_is_small():
    data = Path(__file__).resolve().parents[2].joinpath("static/js/human_check.js").read_bytes()
    assert len(gzip.compress(data, 9)) <= 2048


# --- its settings: HUMAN_CHECK*, and the deprecated CAPTCHA* names still read ------------

SETTINGS = ("", "_COST", "_KEY_PREFIX", "_EXPIRES_SECONDS", "_FALLBACK_MIN_SECONDS",
            "_FALLBACK_LIMIT")


@pytest.fixture
def bare_env(monkeypatch):
    for suffix in SETTINGS:
        monkeypatch.delenv("HUMAN_CHECK" + suffix, raising=False)
        monkeypatch.delenv("CAPTCHA" + suffix, raising=False)
    return monkeypatch


def test_settings_default_to_on_and_production_figures(bare_env):
    from config import human_check_settings
    assert human_check_settings() == {
        "HUMAN_CHECK": True, "HUMAN_CHECK_COST": 2000, "HUMAN_CHECK_KEY_PREFIX": "00",
        "HUMAN_CHECK_EXPIRES_SECONDS": 600, "HUMAN_CHECK_FALLBACK_MIN_SECONDS": 3,
        "HUMAN_CHECK_FALLBACK_LIMIT": "20 per hour"}


def test_old_captcha_variables_still_work_and_new_names_win(bare_env):
    from config import ConfigError, human_check_settings
    bare_env.setenv("CAPTCHA", "off")
    bare_env.setenv("CAPTCHA_COST", "5000")
    bare_env.setenv("CAPTCHA_FALLBACK_LIMIT", "5 per hour")
    bare_env.setenv("HUMAN_CHECK_FALLBACK_LIMIT", "7 per hour")
    settings = human_check_settings()
    assert settings["HUMAN_CHECK"] is False
    assert settings["HUMAN_CHECK_COST"] == 5000
    assert settings["HUMAN_CHECK_FALLBACK_LIMIT"] == "7 per hour"
    bare_env.setenv("CAPTCHA_EXPIRES_SECONDS", "soon")
    with pytest.raises(ConfigError, match="CAPTCHA_EXPIRES_SECONDS"):
        human_check_settings()
