"""The load of `make bench` (bench/load.py runs it headless through nginx).

PatientUser: a patient with JavaScript (htmx) doing one whole enrollment after another,
each in a fresh cookie jar (a new draft), sending its cookies back as a browser does.
StaffUser: a staff member with an account of their own, signed in once, going through
the queue of 100 000 requests: first page, a request opened from it, a later page, the
approved filter, and searches by name, email and date of birth (htmx posts).

No think time: each simulated person sends the next request as soon as the last one is
answered (a closed loop, the most these servers do).  Request names are the steps.
Settings come from bench/load.py in the environment (LOAD_*)."""
import itertools
import json
import os
import random
import re
import uuid
from collections import defaultdict

import pyotp
from locust import HttpUser, constant, events, task

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DETAIL_RE = re.compile(r'href="/admin/requests/(\d+)"')
HTMX = {"HX-Request": "true"}
PRACTICE = os.environ.get("LOAD_PRACTICE_ID", "1")
STAFF = iter(os.environ.get("LOAD_STAFF_EMAILS", "").split(","))
STAFF_PASSWORD = os.environ.get("LOAD_STAFF_PASSWORD", "")
LAST_PAGE = int(os.environ.get("LOAD_LAST_PAGE", "1000"))
SEARCHES = (("name", "Gar"), ("email", "mari"), ("dob", "1984-03-09"))
PASSWORD = "correct horse battery staple"
counter = itertools.count(1)
WIRE = defaultdict(lambda: [0, 0])    # name -> [compressed body bytes, responses]

STEPS = {
    "personal": {"first_name": "Maria", "middle_name": "", "last_name": "Delgado",
                 "street": "12 Elm Street", "line2": "Apt 3", "city": "Springfield",
                 "state": "IL", "zip_code": "62701", "phone": "(217) 555-0199",
                 "date_of_birth": "1984-03-09"},
    "insurance": {},
    "credentials": {"password": PASSWORD, "confirm": PASSWORD},
    "security": {"question_1": "first_school", "answer_1": "Lincoln Elementary",
                 "question_2": "first_pet", "answer_2": "Biscuit",
                 "question_3": "birth_city", "answer_3": "Tucson",
                 "question_4": "first_job", "answer_4": "Paper route",
                 "question_5": "first_car", "answer_5": "Toyota"},
    "review": {"terms": "y", "email_contact": "y", "action": "complete"},
}


@events.request.add_listener
def _wire_bytes(name, response=None, **_):
    """Body bytes as they came over the wire (compressed), besides locust's decoded size."""
    raw = getattr(response, "raw", None)
    if raw is not None and hasattr(raw, "tell"):
        WIRE[name][0] += raw.tell()
        WIRE[name][1] += 1


@events.quitting.add_listener
def _save_wire_bytes(**_):
    if os.environ.get("LOAD_WIRE_FILE"):
        with open(os.environ["LOAD_WIRE_FILE"], "w") as out:
            json.dump({k: round(total / n) for k, (total, n) in WIRE.items() if n}, out)


def _token(text: str) -> str | None:
    found = TOKEN_RE.search(text)
    return found.group(1) if found else None


class PatientUser(HttpUser):
    fixed_count = int(os.environ.get("LOAD_PATIENTS", "32"))
    wait_time = constant(0)

    def _post(self, step: str, data: dict, token: str):
        with self.client.post(f"/enroll/{step}", data={"csrf_token": token, "action": "next",
                                                        **data},
                              headers=HTMX, name=f"patient: POST {step}",
                              catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"{step}: {resp.status_code}")

    @task
    def enroll(self):
        self.client.cookies.clear()                    # a new patient, a new draft
        n = f"{next(counter)}{uuid.uuid4().hex[:8]}"
        page = self.client.get("/enroll/practice", name="patient: GET practice (full page)")
        token = _token(page.text)
        if token is None:
            return
        data = {"practice": {"practice": PRACTICE},
                "personal": {**STEPS["personal"], "email": f"load{n}@example.org",
                             "date_of_birth": f"{random.randint(1940, 2000)}-"
                                              f"{random.randint(1, 12):02d}-{random.randint(1, 28):02d}"},
                "credentials": {**STEPS["credentials"], "username": f"load{n}"}}
        for step in ("practice", "personal", "insurance", "credentials", "security",
                     "review"):
            self._post(step, data.get(step, STEPS.get(step, {})), token)


KEY_RE = re.compile(r'<code id="totp-key">([A-Z2-7 ]+)</code>')


class StaffUser(HttpUser):
    fixed_count = int(os.environ.get("LOAD_STAFF", "4"))
    wait_time = constant(0)

    def on_start(self):
        self.email = next(STAFF)                       # an account of their own
        page = self.client.get("/admin/login", name="staff: GET sign-in")
        with self.client.post("/admin/login", name="staff: POST sign-in",
                              data={"csrf_token": _token(page.text), "email": self.email,
                                    "password": STAFF_PASSWORD},
                              allow_redirects=False, catch_response=True) as resp:
            if resp.status_code != 303:
                resp.failure(f"sign-in: {resp.status_code}")
        self._second_factor()
        self.token = None

    def _second_factor(self):
        """First sign-in: enroll (the key read off the page, as a phone scans it), one
        code, then past the recovery codes.  Not measured: set-up, not work."""
        page = self.client.get("/admin/login/enroll", name="staff: set-up (not measured)")
        key = KEY_RE.search(page.text)
        if key is None:
            return
        code = pyotp.TOTP(key.group(1).replace(" ", "")).now()
        self.client.post("/admin/login/enroll", name="staff: set-up (not measured)",
                         data={"csrf_token": _token(page.text), "code": code})
        codes = self.client.get("/admin/login/recovery-codes",
                                name="staff: set-up (not measured)")
        self.client.post("/admin/login/recovery-codes", name="staff: set-up (not measured)",
                         data={"csrf_token": _token(codes.text)})

    def _get(self, path: str, name: str):
        resp = self.client.get(path, name=name)
        self.token = _token(resp.text) or self.token
        return resp

    @task
    def work_the_queue(self):
        first = self._get("/admin/?status=pending", "staff: queue, page 1")
        ids = DETAIL_RE.findall(first.text)
        if ids:
            self._get(f"/admin/requests/{random.choice(ids)}", "staff: request detail")
        self._get(f"/admin/?status=pending&page={random.randint(2, LAST_PAGE)}",
                  "staff: queue, a later page")
        self._get("/admin/?status=approved", "staff: filter approved")
        for by, q in SEARCHES:
            self.client.post("/admin/search", headers=HTMX, name=f"staff: search {by}",
                             data={"csrf_token": self.token, "by": by, "q": q})
