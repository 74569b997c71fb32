"""auth.clock: the one utcnow() and the one format_when() that the dashboard's pages
(practice_time) and the patients' emails show times with."""
from datetime import datetime, timedelta, timezone

from auth.clock import COMPACT, format_when, utcnow


def test_utcnow_is_naive_utc():
    now = utcnow()
    assert now.tzinfo is None
    assert abs(now - datetime.now(timezone.utc).replace(tzinfo=None)) < timedelta(seconds=5)


def test_the_dashboards_form_is_compact_and_in_the_practices_zone():
    winter = format_when(datetime(2027, 1, 15, 17), "America/Los_Angeles", "en", COMPACT)
    summer = format_when(datetime(2027, 7, 15, 16), "America/Los_Angeles", "en", COMPACT)
    assert str(winter) == "2027-01-15 09:00 PST"
    assert str(summer) == "2027-07-15 09:00 PDT"
    assert str(format_when(datetime(2027, 1, 15, 23, 30), "America/Chicago", "es",
                           COMPACT)) == "2027-01-15 17:30 CST"


def test_an_emails_form_is_in_the_patients_language():
    when = format_when(datetime(2027, 1, 15, 17), "America/Los_Angeles", "en")
    assert (when.date, when.zone) == ("Friday, January 15, 2027", "PST")
    assert when.time.replace("\u202f", " ") == "9:00 AM"
    spanish = format_when(datetime(2027, 1, 15, 17), "America/Los_Angeles", "es")
    assert spanish.date == "viernes, 15 de enero de 2027" and spanish.time == "9:00"
