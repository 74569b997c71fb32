"""CLI commands: `flask --app app seed-demo`, `flask --app app purge-drafts`."""
import click
from flask import Flask


def init_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo():
        """Create the demo practices if they are absent (idempotent)."""
        from enrollment.demo import PRACTICES, seed
        created = seed()
        click.echo(f"demo practices: {created} created, {len(PRACTICES) - created} present")

    @app.cli.command("purge-drafts")
    def purge_drafts():
        """Delete expired drafts and used robot checks (run it from cron, e.g. hourly)."""
        from enrollment import human_check
        from enrollment.drafts import purge_expired
        click.echo(f"expired drafts deleted: {purge_expired()}")
        click.echo(f"expired robot-check records deleted: {human_check.purge_expired()}")
