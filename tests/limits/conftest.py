"""Clients from addresses of their own, patients and staff as the other folders make them,
and the limits as shipped (`default_limits`, tests/conftest.py)."""
import base64
import html
import json
import re

import altcha

from tests.account.conftest import (  # noqa: F401  (fixtures)
    fresh_limits, make_staff, patient, patient_request, smtp)
from tests.wizard import Patient

CHALLENGE_RE = re.compile(r'data-challenge="([^"]+)"')
RETRY_RE = re.compile(r"Try again in (\d+) (minute|minutes|hour|hours)\.")


def client_at(app, address: str):
    """A browser whose requests come from `address` (what the app believes of it)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def patient_at(app, address: str, htmx: bool = False) -> Patient:
    return Patient(client_at(app, address), htmx=htmx)


def minutes_said(html: str) -> int:
    """The wait a 429 page says, in minutes."""
    found = RETRY_RE.search(html)
    assert found, html[:3000]
    number, unit = int(found.group(1)), found.group(2)
    return number * 60 if unit.startswith("hour") else number


def robot_on(app, monkeypatch) -> None:
    """The human check on, with a cheap proof of work."""
    monkeypatch.setitem(app.config, "HUMAN_CHECK", True)
    monkeypatch.setitem(app.config, "HUMAN_CHECK_COST", 50)


def proof(page: str) -> str:
    """The page's challenge, solved as static/js/human_check.js would."""
    challenge = json.loads(html.unescape(CHALLENGE_RE.search(page).group(1)))
    solution = altcha.solve_challenge(altcha.Challenge.from_dict(challenge), timeout=20)
    return base64.b64encode(json.dumps({"challenge": challenge,
                                        "solution": solution.to_dict()}).encode()).decode()


def pass_human_check(wizard) -> None:
    """The insurance step (left empty) with its challenge solved."""
    page = wizard.get("/enroll/insurance").get_data(as_text=True)
    resp = wizard.step("insurance", {"human_check_proof": proof(page), "human_check": "y"})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
