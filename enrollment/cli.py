"""`flask --app app seed-demo` and `flask --app app purge-drafts`."""
import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Create the demo practices if they are absent (idempotent)."""
    from .demo import PRACTICES, seed
    created = seed()
    click.echo(f"demo practices: {created} created, {len(PRACTICES) - created} present")


@click.command("purge-drafts")
@with_appcontext
def purge_drafts():
    """Delete expired drafts, used human checks and sign-in sessions over 30 days old
    (run it from cron, e.g. hourly)."""
    from auth import sessions

    from . import human_check
    from .drafts import purge_expired
    click.echo(f"expired drafts deleted: {purge_expired()}")
    click.echo(f"expired human-check records deleted: {human_check.purge_expired()}")
    click.echo(f"sign-in sessions over 30 days old deleted: {sessions.purge()}")
