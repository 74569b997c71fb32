"""The audit trail page: practice admins filter it by staff member, by request and by
dates in the practice's time zone (combinable, with and without JavaScript), a page at
a time; times in the practice's zone with its abbreviation, never an ISO string; a bad
filter is a 422 with a clear message, never a 500."""
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from admin.staff.models import StaffUser
from audit import AuditEvent
from database import write_transaction
from enrollment.models import Practice
from extensions import db
from tests.wizard import read_page

def _ids(app, email: str) -> tuple[int, int]:
    """(staff id, practice id) of a staff member."""
    with app.app_context():
        user = db.session.execute(sa.select(StaffUser).where(StaffUser.email == email)
                                  ).scalar_one()
        return user.id, user.practice_id


def _add(app, practice_id, staff_id, action, detail="", request_id=None, at=None):
    with app.app_context(), write_transaction():
        db.session.add(AuditEvent(practice_id=practice_id, staff_id=staff_id,
                                  action=action, detail=detail, request_id=request_id,
                                  ip="192.0.2.7", created_at=at or datetime(2027, 1, 1)))


def _rows(html: str) -> list[str]:
    """The table's rows as text, tags removed."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split())
            for row in re.findall(r"<tr>.*?</tr>", body, re.S)]


@pytest.fixture
def boss(make_staff):
    return make_staff("boss@riverside.example", admin=True)


def test_admins_filter_by_request_and_by_staff_member_combined(app, make_staff, boss,
                                                               patient_request):
    one, two = patient_request(1), patient_request(2)
    ana = make_staff()
    ana.get(f"/admin/requests/{one.id}")
    ana.get(f"/admin/requests/{two.id}")
    boss.get(f"/admin/requests/{one.id}")
    ana_id, _ = _ids(app, "ana@riverside.example")
    whole = boss.get("/admin/audit").get_data(as_text=True)
    assert whole.count("Viewed the request") == 3 and "<caption>" in whole
    by_request = boss.get(f"/admin/audit?request={one.id}").get_data(as_text=True)
    assert by_request.count("Viewed the request") == 2
    assert f">#{one.id}</a>" in by_request and f">#{two.id}</a>" not in by_request
    assert f"Request #{one.id}, of Maria Delgado." in by_request
    by_staff = boss.get(f"/admin/audit?staff={ana_id}").get_data(as_text=True)
    assert by_staff.count("Viewed the request") == 2 and "boss@" not in _rows(by_staff)[0]
    both = boss.get(f"/admin/audit?staff={ana_id}&request=%23{two.id}", htmx=True)
    html = both.get_data(as_text=True)
    assert both.status_code == 200 and "<html" not in html
    assert html.count("Viewed the request") == 1 and f">#{two.id}</a>" in html
    form = read_page(html).values   # the form keeps what was asked
    assert form["staff"] == [str(ana_id)] and form["request"] == [f"#{two.id}"]


def test_dates_are_whole_days_in_the_practice_time_zone(app, boss):
    staff_id, practice_id = _ids(app, "boss@riverside.example")   # America/Chicago
    for marker, at in [("before", datetime(2027, 1, 15, 5, 59, 59)),   # 14th, 23:59 CST
                       ("first", datetime(2027, 1, 15, 6, 0)),         # 15th, 00:00 CST
                       ("last", datetime(2027, 1, 17, 5, 59, 59)),     # 16th, 23:59 CST
                       ("after", datetime(2027, 1, 17, 6, 0))]:        # 17th, 00:00 CST
        _add(app, practice_id, staff_id, "settings_changed", marker, at=at)
    html = boss.get("/admin/audit?since=2027-01-15&until=2027-01-16").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == 2
    assert rows[0].startswith("2027-01-16 23:59:59 CST") and "last" in rows[0]
    assert rows[1].startswith("2027-01-15 00:00:00 CST") and "first" in rows[1]
    only_since = _rows(boss.get("/admin/audit?since=01/17/2027").get_data(as_text=True))
    assert len(only_since) == 1 and "after" in only_since[0]
    only_until = _rows(boss.get("/admin/audit?until=2027-01-14").get_data(as_text=True))
    assert any("before" in r for r in only_until) and not any("first" in r for r in only_until)


def test_times_show_the_zone_summer_and_winter_and_never_iso(app, boss, patient_request):
    req = patient_request(1)
    staff_id, practice_id = _ids(app, "boss@riverside.example")
    _add(app, practice_id, staff_id, "appt_approved", "2027-07-15T17:00Z", req.id,
         at=datetime(2027, 7, 1, 12, 0, 5))
    _add(app, practice_id, staff_id, "appt_approved", "2027-01-15T17:00Z", req.id,
         at=datetime(2027, 1, 1, 12, 0, 5))
    html = boss.get(f"/admin/audit?request={req.id}").get_data(as_text=True)
    rows = _rows(html)
    assert rows[0].startswith("2027-07-01 07:00:05 CDT")
    assert "Confirmed the appointment: for 2027-07-15 12:00 CDT" in rows[0]
    assert rows[1].startswith("2027-01-01 06:00:05 CST")
    assert "for 2027-01-15 11:00 CST" in rows[1]
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", html)


def test_what_pages_showed_is_said_in_words(app, make_staff, boss, patient_request,
                                            monkeypatch):
    ids = sorted(patient_request(n).id for n in range(1, 4))
    ana = make_staff()
    ana.post("/admin/search", {"by": "name", "q": "delg"}, htmx=True)
    ana.get(f"/admin/requests/{ids[0]}")
    html = boss.get("/admin/audit?staff=%d" % _ids(app, "ana@riverside.example")[0]
                    ).get_data(as_text=True)
    rows = _rows(html)
    assert f"Viewed the request: with possible duplicates #{ids[1]}–#{ids[2]}" in rows[0]
    assert f"Searched the requests: by name (accents, case and punctuation do not matter), 3 found: " \
        f"#{ids[0]}–#{ids[2]}" in rows[1]
    assert f"Listed requests: Pending approval, page 1: #{ids[0]}–#{ids[2]}" in rows[2]
    assert "delg" not in html.lower().replace("delgado", "")


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize("query,field,message", [
    ("since=2027-02-30", "since", "Enter the date like 2027-01-15."),
    ("until=yesterday", "until", "Enter the date like 2027-01-15."),
    ("since=2027-03-02&until=2027-03-01", "until",
     "The end date must be on or after the start date."),
    ("request=abc", "request", "Enter a request number, like 1024."),
    ("request=999999", "request", "There is no request number 999999 at this practice."),
    ("staff=999999", "staff", "Choose a staff member from the list."),
])
def test_a_bad_filter_is_a_422_with_a_clear_message(app, boss, query, field, message,
                                                    htmx):
    resp = boss.get(f"/admin/audit?{query}", htmx=htmx)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and ("<html" in html) != htmx
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert f'<a href="#{field}">{message}</a>' in summary.replace("&#39;", "'")
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    assert "<tbody>" not in html and "Traceback" not in html


@pytest.mark.parametrize("junk", ["x" * 5000, "a\x00b", "%ff", "../../etc"])
def test_junk_in_any_filter_is_a_4xx(app, boss, junk):
    for name in ("staff", "request", "since", "until", "page"):
        resp = boss.get("/admin/audit", query_string={name: junk})
        # A filter: 422 with its message; a page that is not a page number: 404.
        assert resp.status_code in ((404,) if name == "page" else (200, 422)), \
            (name, resp.status_code)
        assert "Traceback" not in resp.get_data(as_text=True)


def test_every_filter_has_a_label(app, boss):
    page = read_page(boss.get("/admin/audit").get_data(as_text=True))
    html = boss.get("/admin/audit").get_data(as_text=True)
    for name in ("staff", "request", "since", "until"):
        assert f'<label for="{name}">' in html and name in page.attrs_by_id
    assert page.attrs_by_id["since"]["type"] == "date"
    assert 'method="get"' in html and "data-hx-get=\"/admin/audit\"" in html


def test_pages_of_a_hundred_keep_the_filters(app, boss):
    staff_id, practice_id = _ids(app, "boss@riverside.example")
    for n in range(105):
        _add(app, practice_id, staff_id, "settings_changed", f"n{n}",
             at=datetime(2027, 3, 1, 12) + timedelta(seconds=n))
    query = f"staff={staff_id}&since=2027-03-01&until=2027-03-01"
    first = boss.get(f"/admin/audit?{query}").get_data(as_text=True)
    assert len(_rows(first)) == 100 and "n104" in _rows(first)[0]
    older = re.search(r'href="([^"]+)"[^>]*rel="next"', first).group(1).replace("&amp;", "&")
    assert "page=2" in older and f"staff={staff_id}" in older and "since=2027-03-01" in older
    second = boss.get(older).get_data(as_text=True)
    assert [r.split()[-2] for r in _rows(second)] == ["n4", "n3", "n2", "n1", "n0"]
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_another_practice_rows_never_show(app, make_staff, boss, practices):
    other = make_staff("bo@hillcrest.example", practice="hillcrest-internal", admin=True)
    bo_id, hillcrest = _ids(app, "bo@hillcrest.example")
    _add(app, hillcrest, bo_id, "settings_changed", "theirs")
    assert other.get("/admin/audit").status_code == 200
    assert "theirs" not in boss.get("/admin/audit").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Practice, hillcrest).timezone == "America/Los_Angeles"
    assert "PST" in other.get("/admin/audit").get_data(as_text=True)


def test_the_audit_pages_are_for_admins_only(app, make_staff):
    staff = make_staff()
    assert staff.get("/admin/audit").status_code == 403
    assert "Audit trail" not in staff.get("/admin/").get_data(as_text=True)
