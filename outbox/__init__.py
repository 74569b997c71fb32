"""Every email: enqueued inside the caller's transaction, sent later with retries.

    from outbox import enqueue
    with write_transaction():
        ...the change...
        enqueue("approved", to=address, context={...}, from_name=..., reply_to=...)

`flask --app app outbox send --watch` (or `outbox send` from cron) delivers; see
outbox.sender for leases, back-off and the one window where a duplicate is possible.
The same table and sender run jobs (outbox.jobs: `enqueue_job`, `register_job`).
This package imports no blueprint (only auth's clock below it): arrows point down.
"""
from .jobs import enqueue_job, register_job
from .models import DONE, FAILED, JOB, PENDING, SENT, OutboxMessage
from .queue import clean_address, clean_name, clean_text, enqueue
from .sender import Report, send_due

__all__ = ["DONE", "FAILED", "JOB", "PENDING", "SENT", "OutboxMessage", "Report",
           "clean_address", "clean_name", "clean_text", "enqueue", "enqueue_job",
           "init_app", "register_job", "send_due"]


def init_app(app) -> None:
    """The commands: `outbox send|status|retry-failed` and `mail-sink`."""
    from .cli import group
    from .sink import mail_sink
    app.cli.add_command(group)
    app.cli.add_command(mail_sink)
