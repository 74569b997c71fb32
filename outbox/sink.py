"""The embedded default for development: a local SMTP sink (aiosmtpd).

`flask --app app mail-sink` listens on 127.0.0.1 (MAIL_PORT, 8025 by default) and writes
each message it receives as an .eml file under instance/mail/, printing its subject and
recipients (never the body).  `make run` starts it when MAIL_SERVER is not set.
"""
import email
import email.policy
import signal
import threading
import uuid
from datetime import datetime
from pathlib import Path

import click
from aiosmtpd.controller import Controller
from flask import current_app

from .queue import clean_text


class EmlWriter:
    """aiosmtpd handler: one .eml file per message."""

    def __init__(self, folder: Path, echo=click.echo):
        self.folder = folder
        self.echo = echo

    async def handle_DATA(self, server, session, envelope):
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(envelope.content)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        subject = clean_text(parsed.get("subject", ""), 200)
        self.echo(f"mail-sink: {subject!r} to {', '.join(envelope.rcpt_tos)} ({path.name})")
        return "250 Message accepted for delivery"


@click.command("mail-sink")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Default: MAIL_PORT (8025).")
@click.option("--dir", "folder", type=click.Path(file_okay=False), default=None,
              help="Default: instance/mail/.")
def mail_sink(host: str, port: int | None, folder: str | None):
    """A local SMTP server that keeps every message as an .eml file (development)."""
    port = port or current_app.config["MAIL_PORT"]
    target = Path(folder or Path(current_app.instance_path) / "mail")
    controller = Controller(EmlWriter(target), hostname=host, port=port)
    controller.start()
    click.echo(f"mail-sink: listening on {host}:{port}, writing to {target}/")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(0.25):
            pass
    finally:
        controller.stop()
