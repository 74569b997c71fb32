"""`flask --app app practice create|list|update|deactivate`."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
import phonenumbers
import sqlalchemy as sa
from flask.cli import AppGroup

from database import write_transaction
from enrollment.codes import REJECTION_REASONS
from enrollment.models import Practice
from extensions import db
from outbox import clean_address

practice_group = AppGroup("practice", help="Create, list, update, deactivate practices.")


def _phone(value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise click.BadParameter(f"not a phone number: {value!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _values(name, phone, email, timezone, appointments, notify, reasons) -> dict:
    values = {}
    if name is not None:
        values["name"] = name.strip()
    if phone is not None:
        values["phone"] = _phone(phone)
    if email is not None:
        values["reply_to"] = clean_address(email)
        if not values["reply_to"]:
            raise click.BadParameter(f"not an email address: {email!r}")
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise click.BadParameter(f"unknown time zone: {timezone!r}") from None
        values["timezone"] = timezone
    if appointments is not None:
        values["appointments_enabled"] = appointments
    if notify is not None:
        values["notify_new_requests"] = notify
    if reasons is not None:
        codes = [c.strip() for c in reasons.split(",") if c.strip()]
        unknown = [c for c in codes if c not in REJECTION_REASONS]
        if unknown or not codes:
            raise click.BadParameter("reason codes are: " + ", ".join(REJECTION_REASONS))
        values["rejection_reasons"] = codes
    return values


def practice_options(required: bool):
    def wrap(fn):
        for option in reversed([
            click.option("--name", required=required),
            click.option("--phone", required=required),
            click.option("--email", "email", required=required, help="reply-to address"),
            click.option("--timezone", required=required, help="e.g. America/Chicago"),
            click.option("--appointments/--no-appointments", default=None),
            click.option("--notify/--no-notify", default=None,
                         help="email the reply-to address about each new request"),
            click.option("--reasons", help="comma-separated rejection reason codes"),
        ]):
            fn = option(fn)
        return fn
    return wrap


def _get(slug: str) -> Practice:
    practice = db.session.execute(sa.select(Practice).where(Practice.slug == slug)).scalar()
    if practice is None:
        raise click.ClickException(f"no practice {slug!r}")
    return practice


@practice_group.command("create")
@click.argument("slug")
@practice_options(required=True)
def practice_create(slug, **options):
    """Create a practice (its staff are added with `staff create`)."""
    values = _values(**options)
    if db.session.execute(sa.select(Practice.id).where(Practice.slug == slug)).scalar():
        raise click.ClickException(f"practice {slug!r} already exists")
    values.setdefault("appointments_enabled", False)
    with write_transaction():
        db.session.add(Practice(slug=slug, **values))
    click.echo(f"practice {slug} created")


@practice_group.command("list")
def practice_list():
    """Slug, name, appointment module on or off, active or not."""
    for p in db.session.execute(sa.select(Practice).order_by(Practice.slug)).scalars():
        click.echo(f"{p.slug}\t{p.name}\tappointments {'on' if p.appointments_enabled else 'off'}"
                   f"\t{'active' if p.active else 'inactive'}")


@practice_group.command("update")
@click.argument("slug")
@practice_options(required=False)
def practice_update(slug, **options):
    """Change the options given; the others stay as they are."""
    practice = _get(slug)
    values = _values(**options)
    with write_transaction():
        db.session.execute(sa.update(Practice).where(Practice.id == practice.id)
                           .values(**values))
    click.echo(f"practice {slug} updated: {', '.join(sorted(values)) or 'nothing'}")


@practice_group.command("deactivate")
@click.argument("slug")
def practice_deactivate(slug):
    """Take a practice out of the wizard; its staff can no longer sign in."""
    practice = _get(slug)
    with write_transaction():
        db.session.execute(sa.update(Practice).where(Practice.id == practice.id)
                           .values(active=False))
    click.echo(f"practice {slug} deactivated")
