"""`flask --app app seed-demo`.  (`purge-drafts` became `purge`: upkeep/.)"""
import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Create the demo practices if they are absent (idempotent)."""
    from .demo import PRACTICES, seed
    created = seed()
    click.echo(f"demo practices: {created} created, {len(PRACTICES) - created} present")
