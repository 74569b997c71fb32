"""Jobs: small tasks queued in the outbox table and run by the one sender.

    register_job(app, "patient_forgot_password", handler)   # at start-up (init_app)
    with write_transaction():
        enqueue_job("patient_forgot_password", crypto.name_hash(typed))

A job is a row of `outbox_message` (kind JOB) with its handler's name and ONE argument,
`payload`: a keyed hash, never what a person typed.  The sender claims it like a
message (lease, retries with back-off, `failed` after OUTBOX_MAX_ATTEMPTS) and calls
`handler(payload)` inside one write transaction that also marks it `done`: the emails a
handler queues (outbox.enqueue) exist if and only if the job is done, and go out in the
same pass.  Views that must do the same work whatever a look-up would find (the
recovery forms) queue a job instead, and the look-up happens here, out of the request.
"""
from email.utils import make_msgid
from typing import Callable

from flask import Flask, current_app

from extensions import db

from .models import JOB, OutboxMessage, utcnow

EXTENSION = "outbox_jobs"
PAYLOAD_MAX = 128


def register_job(app: Flask, name: str, handler: Callable[[str], None]) -> None:
    app.extensions.setdefault(EXTENSION, {})[name] = handler


def handler_for(name: str) -> Callable[[str], None] | None:
    return current_app.extensions.get(EXTENSION, {}).get(name)


def enqueue_job(name: str, payload: str) -> OutboxMessage:
    """Add the job's row to the caller's write transaction (it neither flushes nor
    commits).  `payload`: a hash or an id, at most PAYLOAD_MAX characters."""
    if not db.session().in_transaction():
        raise RuntimeError("enqueue_job() belongs inside the caller's write transaction")
    if handler_for(name) is None:
        raise ValueError(f"no job called {name!r} (outbox.register_job)")
    if len(payload or "") > PAYLOAD_MAX:
        raise ValueError("a job's payload is a hash or an id, not text")
    job = OutboxMessage(kind=JOB, template=name, payload=payload or "",
                        message_id=make_msgid(domain="job.invalid"), to_addr="",
                        subject="", next_attempt_at=utcnow())
    db.session.add(job)
    return job
