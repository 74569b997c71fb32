"""Time, one way for the whole app: `utcnow()` (naive UTC, as every table stores it),
`to_utc()` (a wall-clock time typed in a zone) and `format_when()` (a stored UTC time as
a person reads it, in a zone and a language).  Pages and emails show times through
`format_when` only; the dashboard's filter `practice_time` is a call to it."""
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

# The dashboard's form (2027-01-15 09:00 PST): sortable, the same in every language.
COMPACT = ("yyyy-MM-dd", "HH:mm")
# An email's form (Friday, January 15, 2027 / 9:00 AM): the patient's language.
FULL = ("full", "short")


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (the columns are naive UTC)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def in_zone(utc_naive: datetime, zone: str) -> datetime:
    """A naive UTC time as an aware time in `zone`."""
    return utc_naive.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone))


def to_utc(day: date, clock: time, zone: str) -> datetime | None:
    """A wall-clock time in `zone` -> naive UTC; None when that time does not exist
    there (the hour skipped when clocks go forward).  An hour that happens twice (clocks
    go back) is its first occurrence."""
    local = datetime.combine(day, clock).replace(tzinfo=ZoneInfo(zone))
    utc = local.astimezone(timezone.utc)
    if utc.astimezone(ZoneInfo(zone)).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return utc.replace(tzinfo=None)


@dataclass(frozen=True)
class When:
    """A time as shown: its date, its time of day and the zone's abbreviation (PST)."""
    date: str
    time: str
    zone: str

    def __str__(self) -> str:
        return f"{self.date} {self.time} {self.zone}"


def format_when(utc_naive: datetime, zone: str, locale: str = "en",
                formats: tuple[str, str] = FULL) -> When:
    """A stored (naive UTC) time in `zone`, its date and time written in `locale` with
    `formats` (Babel's: a width such as "full", or a CLDR pattern such as "yyyy-MM-dd")."""
    local = in_zone(utc_naive, zone)
    date_format, time_format = formats
    return When(date=format_date(local.date(), date_format, locale=locale),
                time=format_time(local.time(), time_format, locale=locale),
                zone=local.strftime("%Z"))


def start_of_day(day: date, zone: str) -> datetime:
    """The first moment of `day` in `zone`, as naive UTC (where midnight is skipped by
    the clocks going forward, the first moment that exists)."""
    local = datetime.combine(day, time()).replace(tzinfo=ZoneInfo(zone))
    return local.astimezone(timezone.utc).replace(tzinfo=None)
