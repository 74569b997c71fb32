"""`flask --app app outbox send --watch`, run for real as `make run` and production run
it: its own process on the test database, delivering to the real SMTP server of
tests/outbox/conftest.py, stopped by SIGTERM as a service manager stops it."""
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from outbox import PENDING, SENT
from tests.outbox.conftest import enroll
from tests.outbox.test_outbox_delivery import queue, rows

ROOT = Path(__file__).resolve().parents[2]
PASS_RE = re.compile(r"^outbox: (\d+) sent, (\d+) to retry, (\d+) failed$", re.M)


class Watcher:
    """The watch loop in a subprocess, its output read as it comes; `stop()` sends
    SIGTERM, waits for the process to end and returns everything it printed."""

    def __init__(self, app, smtp_port: int, interval: float = 0.2, **env):
        environ = {k: v for k, v in os.environ.items()
                   if k not in ("PORTAL_ENV", "TEST_DATABASE_URL")}
        environ.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                       SECRET_KEY="w" * 40, MAIL_SERVER="127.0.0.1",
                       MAIL_PORT=str(smtp_port), PYTHONWARNINGS="error",
                       PYTHONUNBUFFERED="1", **env)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "outbox", "send", "--watch",
             "--interval", str(interval)], cwd=ROOT, env=environ,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, check, what: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not check():
            if self.proc.poll() is not None:
                self.reader.join(5)
                pytest.fail(f"the watcher exited while waiting for {what}:\n{self.output}")
            assert time.monotonic() < deadline, f"waited {seconds} s for {what}:\n{self.output}"
            time.sleep(0.05)

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.reader.join(5)
        assert self.proc.returncode == 0, self.output
        return self.output

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.proc.stdout.close()


@pytest.fixture
def watcher():
    started = []

    def start(*args, **kwargs) -> Watcher:
        started.append(Watcher(*args, **kwargs))
        return started[-1]
    yield start
    for one in started:   # a failed test must not leave the loop running
        one.kill()


def totals(out: str) -> tuple[int, int, int]:
    """(sent, to retry, failed) summed over the passes the loop reported."""
    passes = [tuple(map(int, found)) for found in PASS_RE.findall(out)]
    return tuple(sum(column) for column in zip(*passes)) if passes else (0, 0, 0)


def all_sent(app, smtp, count: int):
    return lambda: (len(smtp.messages) >= count
                    and [r.status for r in rows(app)] == [SENT] * count)


def test_the_watch_loop_delivers_what_is_queued_while_it_runs(app, smtp, practices,
                                                              watcher):
    enroll(app, practices["hillcrest-internal"], 40)   # queued before the loop starts
    first = len(rows(app))
    assert first >= 1 and smtp.messages == []
    loop = watcher(app, smtp.port)
    loop.wait_for(all_sent(app, smtp, first), "the first messages")
    queue(app, 3, prefix="later")   # queued while it runs: a later pass sends them
    loop.wait_for(all_sent(app, smtp, first + 3), "the later messages")
    out = loop.stop()

    ids = [m.message_id for m in smtp.messages]
    assert sorted(ids) == sorted(r.message_id for r in rows(app))   # once each
    assert "patient40@example.org" in {m.rcpt_tos[0] for m in smtp.messages}
    assert {f"later{i}@example.org" for i in range(3)} <= {m.rcpt_tos[0]
                                                           for m in smtp.messages}
    assert out.startswith("outbox: watching, a pass every 0.2 s (Ctrl-C stops)\n")
    assert totals(out) == (first + 3, 0, 0)
    assert "Traceback" not in out and "patient40@example.org" not in out


def test_the_watch_loop_keeps_retrying_through_an_outage(app, smtp, watcher):
    smtp.stop()   # the mail server is down when the loop starts
    queue(app, 2)
    loop = watcher(app, smtp.port, OUTBOX_BACKOFF_SECONDS="1")
    loop.wait_for(lambda: all(r.attempts >= 2 and r.status == PENDING for r in rows(app)),
                  "two failed attempts of each message")
    assert smtp.messages == []
    smtp.start()
    loop.wait_for(all_sent(app, smtp, 2), "delivery after the outage")
    out = loop.stop()
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == ["p0@example.org",
                                                            "p1@example.org"]
    sent, retrying, failed = totals(out)
    assert (sent, failed) == (2, 0) and retrying >= 4   # each tried at least twice before


def test_sigterm_stops_an_idle_loop_at_once(app, smtp, watcher):
    loop = watcher(app, smtp.port, interval=60)
    loop.wait_for(lambda: "outbox: watching" in loop.output, "the loop to start")
    time.sleep(1)   # its first pass found nothing: it sleeps for 60 s now
    started = time.monotonic()
    out = loop.stop()
    assert time.monotonic() - started < 5   # SIGTERM ends the wait, not the 60 s
    assert out == "outbox: watching, a pass every 60 s (Ctrl-C stops)\n"
