"""`flask --app app staff create|list|disable|reset-mfa`."""
import os

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from extensions import db

from . import accounts as staff_accounts
from . import mfa
from .models import StaffUser

staff_group = AppGroup("staff", help="Create, list and disable staff accounts; reset "
                                     "a second factor.")


@staff_group.command("create")
@click.argument("email")
@click.option("--practice", "practice_slug", required=True)
@click.option("--admin", is_flag=True, help="may read the audit trail")
def staff_create(email, practice_slug, admin):
    """Add a staff member to a practice.  The password comes from the environment
    variable PORTAL_STAFF_PASSWORD, else from an interactive prompt."""
    password = os.environ.get("PORTAL_STAFF_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        user = staff_accounts.create(email, practice_slug, password, admin=admin)
    except staff_accounts.StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"staff {user.email} created ({user.role}, {practice_slug})")


@staff_group.command("list")
@click.option("--practice", "practice_slug")
def staff_list(practice_slug):
    """Email, practice, role, active or disabled."""
    query = sa.select(StaffUser).order_by(StaffUser.email)
    if practice_slug:
        practice = staff_accounts.practice_by_slug(practice_slug)
        if practice is None:
            raise click.ClickException(f"no practice {practice_slug!r}")
        query = query.where(StaffUser.practice_id == practice.id)
    for s in db.session.execute(query).scalars():
        click.echo(f"{s.email}\t{s.practice.slug}\t{s.role}\t"
                   f"{'active' if s.active else 'disabled'}")


@staff_group.command("disable")
@click.argument("email")
def staff_disable(email):
    """Disable a staff member; every session of theirs ends now."""
    if staff_accounts.disable(email) is None:
        raise click.ClickException(f"no staff member {email!r}")
    click.echo(f"staff {email.strip().lower()} disabled; their sessions ended")


@staff_group.command("reset-mfa")
@click.argument("email")
def staff_reset_mfa(email):
    """A lost phone: remove a staff member's second factor (key and recovery codes).
    Every session of theirs ends now; they set it up again at their next sign-in.
    Audited.  For the last administrator of a practice (others use the Staff page)."""
    user = staff_accounts.find(email)
    if user is None:
        raise click.ClickException(f"no staff member {email!r}")
    mfa.reset(user)
    click.echo(f"staff {user.email}: two-factor sign-in reset; their sessions ended; "
               "they set it up again at their next sign-in")
