"""CLI commands: `flask --app app seed-demo`, `flask --app app purge-drafts`,
`flask --app app outbox send [--watch]` (also `outbox status`, `outbox retry-failed`)
and `flask --app app mail-sink`."""
import click
from flask import Flask

from outbox.cli import group as outbox_group
from outbox.sink import mail_sink


def init_cli(app: Flask) -> None:
    app.cli.add_command(outbox_group)
    app.cli.add_command(mail_sink)

    @app.cli.command("seed-demo")
    def seed_demo():
        """Create the demo practices if they are absent (idempotent)."""
        from enrollment.demo import PRACTICES, seed
        created = seed()
        click.echo(f"demo practices: {created} created, {len(PRACTICES) - created} present")

    @app.cli.command("purge-drafts")
    def purge_drafts():
        """Delete expired drafts, used human checks and sign-in sessions over 30 days old
        (run it from cron, e.g. hourly)."""
        from enrollment import human_check
        from enrollment.drafts import purge_expired
        click.echo(f"expired drafts deleted: {purge_expired()}")
        click.echo(f"expired human-check records deleted: {human_check.purge_expired()}")
        from auth import sessions
        click.echo(f"sign-in sessions over 30 days old deleted: {sessions.purge()}")
