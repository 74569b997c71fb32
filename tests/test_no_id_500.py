"""Rule 9: no id makes a 500.  Every route of app.url_map with an argument in its path is
asked with ids too large (2**63, 10**30, 2**31), negative, zero, malformed ("abc",
"1.5", "%00"), by every method it takes, signed out, signed in as staff (an admin, with
the second factor) and as a patient: an id answers 404, any other argument a 4xx.
Query ids (a queue's or the audit trail's page, the audit's request and staff filters)
and the "duplicate of" request number posted: a 4xx too.  SQLite and PostgreSQL (the
suite's second pass): PostgreSQL raises on integers beyond its columns."""
import re

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from tests.account.conftest import (  # noqa: F401  (fixtures)
    fresh_limits, make_staff, patient, patient_request, smtp)

BAD_IDS = [str(2**63), str(10**30), str(2**31), "-1", "0", "abc", "1.5", "%00", "1e3",
           "\u0661\u0662"]   # Arabic-Indic digits: digits to Python, not to a URL's id
ARG = re.compile(r"<([^>]+)>")


def paths(app, bad: str):
    """(method, path, whether the bad value stands for an id) for every route."""
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint == "static":
            continue
        for name, converter in rule._converters.items():
            def value(match, target=name, rule=rule):
                arg = match.group(1).split(":")[-1]
                if arg == target:
                    return bad
                other = rule._converters[arg]
                if isinstance(other, AnyConverter):
                    return sorted(other.items)[0]
                return "1" if isinstance(other, IntegerConverter) else "x"
            path = ARG.sub(value, rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, path, isinstance(converter, IntegerConverter)


def ask(browser, method: str, path: str):
    if method == "GET":
        return browser.get(path)
    return browser.post(path, {"of": str(10**30), "name": "x"})


@pytest.fixture
def browsers(app, make_staff, patient):  # noqa: F811  (the fixtures)
    """Signed out, staff (admin, second factor), patient (pending)."""
    from tests.account.conftest import PatientUser
    staff = make_staff(admin=True)
    user = patient()
    anonymous = PatientUser(app.test_client(), "", "", 0)
    anonymous.get("/login")
    return {"anonymous": anonymous, "staff": staff, "patient": user}


@pytest.mark.parametrize("bad", BAD_IDS)
def test_no_id_in_a_path_makes_a_500(app, browsers, bad):
    wrong = []
    for who, browser in browsers.items():
        for method, path, is_id in paths(app, bad):
            resp = ask(browser, method, path)
            ok = resp.status_code == 404 if is_id else 400 <= resp.status_code < 500 or \
                resp.status_code in (200, 303)
            if not ok:
                wrong.append((who, method, path, resp.status_code))
    assert wrong == []


@pytest.mark.parametrize("bad", BAD_IDS + ["", "x" * 5000])
def test_no_id_in_a_query_makes_a_500(app, browsers, bad):
    staff = browsers["staff"]
    for path in ("/admin/", "/admin/appointments", "/admin/audit"):
        resp = staff.get(path, query_string={"page": bad})
        assert resp.status_code == 404, (path, bad, resp.status_code)
    for name in ("request", "staff"):
        resp = staff.get("/admin/audit", query_string={name: bad})
        assert resp.status_code in ((200,) if bad == "" else (422,)), (name, bad)
        assert "Traceback" not in resp.get_data(as_text=True)


def test_good_page_numbers_still_work(app, browsers):
    staff = browsers["staff"]
    for path in ("/admin/", "/admin/appointments", "/admin/audit"):
        assert staff.get(path, query_string={"page": "1"}).status_code == 200
        assert staff.get(path, query_string={"page": str(2**31 - 1)}).status_code == 200
