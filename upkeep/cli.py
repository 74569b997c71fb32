"""The commands: `keys new|rotate|reindex`, `purge` (and its old name `purge-drafts`),
`vacuum`.  What each does: README, "Protected health information at rest"."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup, with_appcontext

import crypto
from extensions import db
from seclog import KEY_ROTATED, security_event

from . import keys, retention


@click.group("keys", cls=AppGroup)
def keys_group():
    """The data keys (PORTAL_DATA_KEYS) and the index key (PORTAL_INDEX_KEY)."""


@keys_group.command("new")
@click.option("--index", is_flag=True,
              help="An index key (PORTAL_INDEX_KEY) rather than a data key.")
def new_key(index: bool):
    """Print a fresh key, to put first in PORTAL_DATA_KEYS (or as PORTAL_INDEX_KEY)."""
    click.echo(crypto.new_index_key() if index else crypto.new_data_key())


def _report(counted: list, done: str) -> None:
    for item in counted:
        click.echo(f"{item.table}: {item.rows} row(s) {done}")
    click.echo(f"in all: {sum(item.rows for item in counted)} row(s) {done}")


@keys_group.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1),
              help="Rows read and written per transaction.")
def rotate(batch_size: int):
    """Re-encrypt every encrypted value not under the first key of PORTAL_DATA_KEYS.
    Resumable: stop it and run it again; a second run changes nothing."""
    try:
        counted = keys.rotate(batch_size)
    except keys.UnreadableValue as exc:
        raise click.ClickException(str(exc)) from None
    _report(counted, "re-encrypted with the current key")
    security_event(KEY_ROTATED, rows=sum(item.rows for item in counted))


@keys_group.command("reindex")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1),
              help="Rows read and written per transaction.")
def reindex(batch_size: int):
    """Recompute every search hash (the date of birth's, addresses', usernames' and the
    names' words) with PORTAL_INDEX_KEY, after that key changed."""
    _report(keys.reindex(batch_size), "given a new search hash")


@click.command("purge")
@with_appcontext
def purge():
    """Delete what is kept only for a while (run it from cron, hourly): expired drafts,
    used human checks, old sessions and links, rejected requests' personal data after
    RETENTION_REJECTED_DAYS, audit rows after AUDIT_RETENTION_DAYS."""
    for what, count in retention.purge():
        click.echo(f"{what}: {count}")


@click.command("purge-drafts")
@click.pass_context
def purge_drafts(ctx):
    """The old name of `purge` (deprecated): runs `purge`."""
    click.echo("purge-drafts is now called purge, and does more (README); "
               "please change the cron line.", err=True)
    ctx.invoke(purge)


@click.command("vacuum")
@with_appcontext
def vacuum():
    """Rewrite the database so replaced or deleted values leave nothing in its free
    space: after the migration that encrypted existing rows (0012), or a large purge.
    SQLite: VACUUM, and the write-ahead log emptied.  PostgreSQL: VACUUM FULL of the
    tables holding encrypted values (it locks each table while it runs)."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()   # VACUUM cannot run inside the app's BEGIN
        try:
            raw.driver_connection.execute("VACUUM")
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            raw.close()
        click.echo("vacuumed the SQLite file and emptied its write-ahead log")
        return
    tables = sorted(crypto.encrypted_columns(db.metadata))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.execute(sa.text(f'VACUUM FULL "{table}"'))
    click.echo(f"VACUUM FULL of {', '.join(tables)}")
