"""`flask --app app outbox send [--watch]`, `outbox status`, `outbox retry-failed`.

Production runs `outbox send --watch` as its own process (or `outbox send` from cron,
e.g. every minute); `make run` starts it in the background.
"""
import signal
import threading

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError

from database import write_transaction
from extensions import db

from .models import FAILED, PENDING, OutboxMessage, utcnow
from .sender import send_due

group = AppGroup("outbox", help="The email outbox: send what is due, show, retry.")


def _say(report) -> None:
    if report.claimed:
        click.echo(f"outbox: {report.sent} sent, {report.retrying} to retry, "
                   f"{report.failed} failed" + (f", {report.jobs} job(s) done"
                                                if report.jobs else "")
                   + (f", {report.lost_lease} lost their lease"
                      if report.lost_lease else ""))


@group.command("send")
@click.option("--watch", is_flag=True, help="Keep running; send messages as they come due.")
@click.option("--interval", type=float, default=None,
              help="Seconds between passes with --watch (default OUTBOX_POLL_SECONDS).")
def send(watch: bool, interval: float | None):
    """Send the messages that are due (once, or continuously with --watch)."""
    if not watch:
        report = send_due()
        _say(report)
        click.echo(f"outbox: {report.claimed} message(s) handled")
        return
    interval = interval or current_app.config["OUTBOX_POLL_SECONDS"]
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"outbox: watching, a pass every {interval:g} s (Ctrl-C stops)")
    while not stop.is_set():
        try:
            report = send_due()
            _say(report)
        except OperationalError as exc:   # the database is briefly unavailable: wait
            click.echo(f"outbox: database unavailable ({exc.orig}); retrying", err=True)
            report = None
        finally:
            db.session.remove()
        if report is None or not report.claimed:
            stop.wait(interval)
    db.engine.dispose()   # stopped: close the pool's connections rather than drop them


@group.command("status")
def status():
    """Messages by status, and the oldest one still waiting."""
    rows = db.session.execute(sa.select(OutboxMessage.status, sa.func.count())
                              .group_by(OutboxMessage.status)).all()
    for name, count in sorted(rows):
        click.echo(f"{name}: {count}")
    if not rows:
        click.echo("outbox: no messages")
    oldest = db.session.execute(sa.select(sa.func.min(OutboxMessage.created_at))
                                .where(OutboxMessage.status == PENDING)).scalar()
    if oldest is not None:
        click.echo(f"oldest pending: queued {utcnow() - oldest} ago")


@group.command("retry-failed")
def retry_failed():
    """Put every failed message back in the queue, due now, with a fresh count of tries."""
    with write_transaction():
        done = db.session.execute(
            sa.update(OutboxMessage).where(OutboxMessage.status == FAILED)
            .values(status=PENDING, attempts=0, next_attempt_at=utcnow(), last_error="")
            .execution_options(synchronize_session=False))
    click.echo(f"outbox: {done.rowcount} failed message(s) queued again")
