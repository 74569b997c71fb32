"""Arbitrary input at every field of every step, as plain and as htmx posts: never a 5xx.
Also wrong types, a tampered practice id, unknown step names, skipped steps and the live
policy checks.  Each example works on its own copy ("fork") of a draft prepared once per
test, so the examples are independent and the whole file stays fast."""
import copy
import hashlib
import string
from urllib.parse import quote, urlparse

import pytest
import sqlalchemy as sa
from hypothesis import given, strategies as st

from database import write_transaction
from enrollment import drafts, steps
from enrollment.models import Draft
from extensions import db
from tests.wizard import GOOD, Patient, read_page

ORDER = [step.name for step in steps.STEPS]
MODES = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
DROP = object()

FIELDS = {
    "practice": ["practice"],
    "personal": list(GOOD["personal"]),
    "insurance": ["carrier", "member_id", "group_number", "subscriber_name", "relationship",
                  "claim_street", "claim_line2", "claim_city", "claim_state", "claim_zip"],
    "credentials": ["username", "password", "confirm"],
    "security": [f"{kind}_{i}" for i in range(1, 6) for kind in ("question", "answer")],
    "review": ["terms", "email_contact"],
    "appointment": ["reason", "days", "times", "provider", "location"],
}
# The step whose URL is posted, and the last step the draft must have complete.
TARGETS = {"practice": ("/enroll/practice", None), "personal": ("/enroll/personal", "practice"),
           "insurance": ("/enroll/insurance", "personal"),
           "credentials": ("/enroll/credentials", "insurance"),
           "security": ("/enroll/security", "credentials"),
           "review": ("/enroll/review", "security"),
           "appointment": ("/enroll/appointment", "review")}

# --- Strategies ---------------------------------------------------------------------------

NASTY = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\x00" * 50, "\r\n", "\t", "\x1b[31mred", "\x7f", "\u0085",
    "\u202eevil", "\ufeff", "\u200b", "\U0001F600" * 30, "é" * 300, "Ω≈ç√∫", "𝕏𝕐ℤ",
    "<script>alert(1)</script>", "\"'><img src=x>", "'; DROP TABLE draft; --", "%00",
    "{{ 7*7 }}", "${jndi:x}", "0", "-1", "1e309", "9" * 40, "NaN", "None", "null", "true",
    "false", "y", "first_school", "self", "IL", "mon", "morning", "1984-03-09",
    "(217) 555-0199", "maria@example.org", "correct horse battery staple",
])
LONG = st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8"),
                 st.integers(min_value=100, max_value=20_000))
TEXT = st.one_of(st.text(st.characters(codec="utf-8"), max_size=40),
                 st.text(st.characters(codec="utf-8", categories=("Cc", "Zs", "Lo", "So", "Mn")),
                         max_size=200),
                 NASTY, LONG)
VALUE = st.one_of(st.just(DROP), TEXT, st.lists(TEXT, min_size=0, max_size=3))
ACTION = st.one_of(st.sampled_from(["next", "back", "complete", "appointment"]), TEXT,
                   st.just(DROP))


def form_for(step: str):
    fields = st.fixed_dictionaries({name: VALUE for name in FIELDS[step]})
    extra = st.dictionaries(st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)
                            .filter(lambda k: k != "csrf_token"), TEXT, max_size=2)
    return st.tuples(fields, extra, ACTION).map(_payload)


def _payload(parts) -> dict:
    fields, extra, action = parts
    data = {**extra, **{k: v for k, v in fields.items() if v is not DROP}}
    if action is not DROP:
        data["action"] = action
    return data


# --- Forked drafts ------------------------------------------------------------------------

class Bench:
    """One client, one CSRF token, one prepared draft; each example gets a copy."""
    forks = 0

    def __init__(self, app, client, practices, htmx: bool, through: str | None,
                 practice: str = "riverside-family"):
        self.app, self.client = app, client
        self.patient = Patient(client, htmx=htmx)
        self.template = None
        if through == "review":
            self.patient.complete_through("security", practices[practice])
            resp = self.patient.step("review", GOOD["review"], action="appointment")
            assert resp.status_code in (200, 303)
        elif through:
            self.patient.complete_through(through, practices[practice])
        else:
            self.patient.get("/enroll/practice")
        cookie = client.get_cookie(drafts.DRAFT_COOKIE, path="/enroll")
        if cookie is not None:
            self.template = hashlib.sha256(cookie.value.encode()).hexdigest()

    def fork(self) -> str:
        """A fresh draft holding what the template holds; this browser now uses it."""
        with self.app.app_context():
            source = db.session.get(Draft, self.template) if self.template else None
            draft, token = drafts.create()
            if source is not None:
                with write_transaction():
                    draft.data = copy.deepcopy(source.data)
                    draft.clean = copy.deepcopy(source.clean)
                    if "credentials" in draft.clean:   # each copy its own username
                        Bench.forks += 1
                        draft.clean["credentials"]["username"] = f"fuzzcopy{Bench.forks}"
                    draft.done = list(source.done)
                    draft.password_hash = source.password_hash
            mark = drafts.visit_mark(draft)
            draft_id = draft.id
        self.client.set_cookie(drafts.DRAFT_COOKIE, token, path="/enroll")
        self.client.set_cookie(drafts.VISIT_COOKIE, mark, path="/enroll")
        return draft_id

    def forget(self) -> None:
        self.client.delete_cookie(drafts.DRAFT_COOKIE, path="/enroll")
        self.client.delete_cookie(drafts.VISIT_COOKIE, path="/enroll")

    def draft(self, draft_id: str) -> dict | None:
        with self.app.app_context():
            row = db.session.get(Draft, draft_id)
            return None if row is None else {"done": list(row.done), "clean": row.clean,
                                             "data": row.data,
                                             "submitted_at": row.submitted_at}


def assert_sane(resp) -> str:
    """Never a 5xx; a 422 explains itself; an error page says what went wrong."""
    assert resp.status_code < 500, resp.get_data(as_text=True)[:3000]
    assert 200 <= resp.status_code < 500
    html = resp.get_data(as_text=True)
    if resp.status_code == 422:
        assert 'id="error-summary"' in html
    elif resp.status_code in (303, 302):
        assert urlparse(resp.headers["Location"]).path.startswith("/enroll")
    elif resp.status_code == 204:
        assert resp.headers["HX-Redirect"].startswith("/enroll")
    return html


# --- Every field of every step --------------------------------------------------------------

@MODES
@pytest.mark.parametrize("step", list(FIELDS))
def test_arbitrary_input_never_a_server_error(app, client, practices, htmx, step):
    url, through = TARGETS[step]
    bench = Bench(app, client, practices, htmx, through)
    before = ORDER[:ORDER.index(step)] if step in ORDER else ORDER

    @given(data=form_for(step), fresh=st.booleans())
    def run(data, fresh):
        if step == "practice" and fresh:
            bench.forget()
            draft_id = None
        else:
            draft_id = bench.fork()
            saved = {name: bench.draft(draft_id)["clean"].get(name) for name in before}
        resp = bench.patient.post(url, data)
        assert_sane(resp)
        assert resp.status_code != 400, "the CSRF token was lost"
        if draft_id is None:
            return
        draft = bench.draft(draft_id)
        assert draft is not None, "the draft was lost"
        if draft["submitted_at"] is None:   # nothing saved before this step is lost
            assert set(before) <= set(draft["done"])
            assert {name: draft["clean"].get(name) for name in before} == saved
        secrets = set(steps.get(step).secret_fields) if steps.get(step) else set()
        assert not secrets & set(draft["data"].get(step) or {}), "a secret was saved"

    run()


@MODES
@pytest.mark.parametrize("step", ["personal", "credentials", "security"])
def test_lists_and_missing_fields(app, client, practices, htmx, step):
    """Wrong types: several values for a single field, or fields left out entirely."""
    url, through = TARGETS[step]
    bench = Bench(app, client, practices, htmx, through)
    good = GOOD[step]

    @given(st.dictionaries(st.sampled_from(list(good)),
                           st.one_of(st.just(DROP),
                                     st.lists(TEXT, min_size=2, max_size=4),
                                     st.builds(lambda v: [v, v], st.just("x")))))
    def run(changes):
        bench.fork()
        data = {k: v for k, v in {**good, **changes}.items() if v is not DROP}
        resp = bench.patient.post(url, {**data, "action": "next"})
        html = assert_sane(resp)
        if resp.status_code == 422:
            page = read_page(html)
            assert any(key.endswith("-error") for key in page.texts)
            assert page.values.get("password", [""]) == [""]

    run()


@MODES
@given(practice_id=st.one_of(st.integers().map(str), TEXT,
                             st.sampled_from(["abc", "-1", "0", "999999", "1e3", "١", "²",
                                              "0x1", " 1", "1 ", "+1", "01"])))
def test_tampered_practice_id(app, client, practices, htmx, practice_id):
    patient = Patient(client, htmx=htmx)
    resp = patient.post("/enroll/practice", {"practice": practice_id, "action": "next"})
    html = assert_sane(resp)
    real = {str(i) for i in practices.values()}
    if resp.status_code == 413:   # an enormous id: refused before the form is read
        assert len(practice_id.encode()) > 10_000
    elif practice_id in real:
        assert resp.status_code in (200, 303)
    else:
        assert resp.status_code == 422
        assert "Choose" in read_page(html).texts["practice-error"]


@MODES
@pytest.mark.parametrize("practice_id", ["999999", "abc", "-1", "0", "", "1.0", "١"])
def test_tampered_practice_id_refused_and_nothing_saved(app, client, practices, htmx,
                                                        practice_id):
    patient = Patient(client, htmx=htmx)
    resp = patient.post("/enroll/practice", {"practice": practice_id, "action": "next"})
    assert resp.status_code == 422
    assert client.get_cookie(drafts.DRAFT_COOKIE, path="/enroll") is None
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Draft)).scalar() == 0


# --- Step names and skipping --------------------------------------------------------------

OTHER_ROUTES = {"check", "resume", "start-over", "done", "appointment", "", ".", ".."}
STEP_NAME = st.text(st.characters(codec="utf-8", exclude_characters="/\\?#"), min_size=1,
                    max_size=40).filter(lambda s: steps.get(s) is None and
                                        s not in OTHER_ROUTES)


@MODES
@given(name=st.one_of(STEP_NAME, st.sampled_from(["Practice", "PERSONAL", "review2",
                                                  "credentials.html", "step1", "0", "-1",
                                                  "%00", "security "])))
def test_unknown_step_is_a_clear_404(app, client, practices, htmx, name):
    patient = Patient(client, htmx=htmx)
    url = "/enroll/" + quote(name, safe="")
    for resp in (patient.get(url), patient.post(url, {"action": "next", "practice": "1"})):
        html = assert_sane(resp)
        assert resp.status_code == 404, (name, resp.status_code)
        assert "There is no such step in the enrollment" in html
        assert ("<html" in html.lower()) is (not htmx)


@MODES
@pytest.mark.parametrize("done_through", [None] + ORDER[:-2])
def test_later_step_redirects_to_first_incomplete(app, client, practices, htmx,
                                                  done_through):
    patient = Patient(client, htmx=htmx)
    if done_through:
        patient.complete_through(done_through, practices["riverside-family"])
    else:
        patient.get("/enroll/practice")
    first = ORDER[ORDER.index(done_through) + 1] if done_through else "practice"
    later = ORDER[ORDER.index(first) + 1:]
    assert later
    for name in later:
        for resp in (patient.get(f"/enroll/{name}"),
                     patient.post(f"/enroll/{name}", {**GOOD.get(name, {}), "action": "next"})):
            if htmx:
                assert resp.status_code == 204
                assert resp.headers["HX-Redirect"] == f"/enroll/{first}"
            else:
                assert resp.status_code == 303
                assert urlparse(resp.headers["Location"]).path == f"/enroll/{first}"
    # The first incomplete step itself is shown.
    assert patient.get(f"/enroll/{first}").status_code == 200
    resp = patient.get("/enroll/appointment")
    assert resp.status_code in (204, 303)


# --- CSRF and cookies ---------------------------------------------------------------------

@given(token=st.one_of(TEXT, st.just(DROP)))
def test_bad_csrf_token_is_a_400_with_values_kept(app, client, practices, token):
    patient = Patient(client)
    patient.complete_through("practice", practices["riverside-family"])
    data = {**GOOD["personal"], "action": "next"}
    if token is not DROP:
        data["csrf_token"] = token
    resp = patient.post("/enroll/personal", data, token=False)
    html = assert_sane(resp)
    if resp.status_code != 413 and (token is DROP or token != patient.token):
        assert resp.status_code == 400
        assert read_page(html).values["first_name"] == ["Maria"]


@given(cookie=st.text(string.ascii_letters + string.digits + "-_.~!*'()", max_size=300))
def test_forged_draft_cookie(app, client, practices, cookie):
    client.set_cookie(drafts.DRAFT_COOKIE, cookie, path="/enroll")
    resp = client.get("/enroll/personal")
    assert_sane(resp)
    assert resp.status_code == 303
    assert urlparse(resp.headers["Location"]).path == "/enroll/practice"


# --- Live checks --------------------------------------------------------------------------

@MODES
@pytest.mark.parametrize("field", ["username", "password"])
@pytest.mark.parametrize("with_draft", [False, True], ids=["no-draft", "draft"])
def test_live_check_fuzz(app, client, practices, htmx, field, with_draft):
    bench = Bench(app, client, practices, htmx, "security" if with_draft else None)

    @given(st.fixed_dictionaries({"username": VALUE, "password": VALUE, "confirm": VALUE}))
    def run(values):
        if with_draft:
            bench.fork()
        data = {k: v for k, v in values.items() if v is not DROP}
        resp = bench.patient.post(f"/enroll/check/{field}", data)
        html = assert_sane(resp)
        if resp.status_code == 413:   # more than a form accepts: a clear 4xx is right
            return
        assert resp.status_code == 200
        sent = data.get(field)
        first = sent[0] if isinstance(sent, list) and sent else sent
        answers = field == "password" or with_draft   # usernames: inside a checked draft
        if first and answers:
            assert "live-ok" in html or "live-bad" in html
        else:
            assert html == ""

    run()


@given(field=st.text(st.characters(codec="utf-8", exclude_characters="/\\?#"), min_size=1,
                     max_size=30).filter(lambda f: f not in ("username", "password",
                                                             ".", "..")))
def test_live_check_unknown_field(app, client, field):
    patient = Patient(client)
    resp = patient.post("/enroll/check/" + quote(field, safe=""), {"username": "abcdef"})
    assert resp.status_code == 404


def test_live_check_is_never_a_get(client):
    for field in ("username", "password"):
        assert client.get(f"/enroll/check/{field}?username=abcdef").status_code == 405


def test_live_check_verdicts(app, client, practices):
    patient = Patient(client)   # the username is checked inside a draft past the check
    patient.complete_through("insurance", practices["riverside-family"])
    ok = patient.post("/enroll/check/username", {"username": "maria.d84"})
    assert "live-ok" in ok.get_data(as_text=True)
    bad = patient.post("/enroll/check/username", {"username": "no"})
    assert "Use 6 to 50 characters" in bad.get_data(as_text=True)
    common = patient.post("/enroll/check/password", {"username": "maria.d84",
                                                      "password": "leavemealone"})
    assert "too common" in common.get_data(as_text=True)
    long = patient.post("/enroll/check/password", {"password": "x" * 10_000})
    assert long.status_code == 200 and "128 characters or fewer" in long.get_data(as_text=True)


def test_oversized_post_is_a_clear_413(app, client, practices):
    patient = Patient(client)
    patient.complete_through("practice", practices["riverside-family"])
    resp = patient.post("/enroll/personal", {**GOOD["personal"], "city": "x" * 200_000})
    assert resp.status_code == 413
    assert "more than this form accepts" in resp.get_data(as_text=True)
    # Nothing saved is lost: the practice step is still complete and the draft usable.
    resp = patient.get("/enroll/personal")
    assert resp.status_code == 200 and "Step 2 of 6" in resp.get_data(as_text=True)


@MODES
def test_back_with_nul_and_control_characters_is_kept_and_shown(app, client, practices,
                                                                htmx):
    """Back saves what was typed without validating it, NUL included (PostgreSQL JSON)."""
    patient = Patient(client, htmx=htmx)
    patient.complete_through("practice", practices["riverside-family"])
    typed = {name: f"a\x00b\x01c\x1b\u202e{name}" for name in FIELDS["personal"]}
    resp = patient.step("personal", typed, action="back")
    assert_sane(resp)
    assert resp.status_code in (200, 303)
    page = patient.get("/enroll/personal")
    assert page.status_code == 200
    assert "first_name" in read_page(page.get_data(as_text=True)).values
    assert "\u202efirst_name" in page.get_data(as_text=True)
    resp = patient.step("personal", typed)   # and Next refuses it with a clear message
    assert resp.status_code == 422
    assert "Remove the special characters" in read_page(resp.get_data(as_text=True)).texts[
        "first_name-error"]
