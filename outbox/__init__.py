"""Every email: enqueued inside the caller's transaction, sent later with retries.

    from outbox import enqueue
    with write_transaction():
        ...the change...
        enqueue("approved", to=address, context={...}, from_name=..., reply_to=...)

`flask --app app outbox send --watch` (or `outbox send` from cron) delivers; see
outbox.sender for leases, back-off and the one window where a duplicate is possible.
This package imports no blueprint (only auth's clock below it): arrows point down.
"""
from .models import FAILED, PENDING, SENT, OutboxMessage
from .queue import clean_address, clean_name, clean_text, enqueue
from .sender import Report, send_due

__all__ = ["FAILED", "PENDING", "SENT", "OutboxMessage", "Report", "clean_address",
           "clean_name", "clean_text", "enqueue", "init_app", "send_due"]


def init_app(app) -> None:
    """The commands: `outbox send|status|retry-failed` and `mail-sink`."""
    from .cli import group
    from .sink import mail_sink
    app.cli.add_command(group)
    app.cli.add_command(mail_sink)
