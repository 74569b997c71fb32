"""Fixtures: app, client, htmx_client, runner.  CSRF stays ON (see `no_csrf`).

The database is SQLite in a temporary folder unless TEST_DATABASE_URL names another
(`make test` runs the suite a second time on PostgreSQL that way).
"""
import importlib.util
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import request
from hypothesis import HealthCheck, settings

from app import create_app
from extensions import db, limiter

settings.register_profile("ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("dev", max_examples=15, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

CHEAP_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 64, "ARGON2_PARALLELISM": 1}
# Every test comes from 127.0.0.1: the limits of the wizard are out of the way of tests
# about something else (tests/test_limits*.py put the defaults back: `default_limits`).
RELAXED_LIMITS = {"ENROLL_DRAFT_LIMIT": "100000 per hour",
                  "ENROLL_POST_LIMIT": "100000 per hour",
                  "LIVE_CHECK_LIMIT": "100000 per hour", "LIVE_CHECKS_PER_DRAFT": 100000,
                  "SUBMIT_LIMIT": "100000 per hour", "PRACTICE_SUBMISSIONS_PER_HOUR": 100000,
                  "CONFIRM_RESEND_LIMIT": "100000 per hour"}
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_config(tmp_path_factory) -> dict:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    # PORTAL_BASE_URL: links in emails made by the outbox's jobs (no request of theirs
    # to take an address from) read like those made in a request of the test client.
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t" * 40,
            "SERVER_NAME": None, "HUMAN_CHECK": False,  # tests of the check turn it on
            "PORTAL_BASE_URL": "http://localhost", **CHEAP_ARGON2, **RELAXED_LIMITS}


def catalogs():
    """translations/catalogs.py (a script, not a package)."""
    path = Path(__file__).resolve().parent.parent / "translations" / "catalogs.py"
    spec = importlib.util.spec_from_file_location("catalogs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pytest_sessionstart(session):
    """`make translations` (the .mo files are not committed), for a bare pytest too."""
    catalogs().compile_all(only_stale=True)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(test_config(tmp_path_factory))
    with app.app_context():
        db.drop_all()
        db.create_all()   # tests only; the app itself migrates (see test_migrations)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def clean_tables(app):
    yield
    with app.app_context():
        db.session.rollback()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.session.remove()


@pytest.fixture(autouse=True)
def fresh_limiter(app):
    """Each test starts with no tries counted (memory:// storage)."""
    with app.app_context():
        limiter.reset()
    yield


@pytest.fixture
def default_limits(app, monkeypatch):
    """The limits as shipped (config.py's defaults), for the tests of the limits."""
    from config import limit_settings
    defaults = {k: v for k, v in limit_settings().items() if k in RELAXED_LIMITS}
    for key, value in defaults.items():
        monkeypatch.setitem(app.config, key, value)
    return defaults


@pytest.fixture
def practices(app):
    from enrollment.demo import seed
    from enrollment.models import Practice
    with app.app_context():
        seed()
        rows = db.session.execute(sa.select(Practice)).scalars().all()
        return {p.slug: p.id for p in rows}


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def no_csrf(app, monkeypatch):
    """Only for tests that say why they turn CSRF off."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)


def csrf_token(html: str) -> str:
    match = TOKEN_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def security_log():
    """The security events logged while the test runs, as the dicts of their JSON lines
    (the formatted lines themselves, as written to stderr, are parsed back)."""
    import json
    import logging

    from seclog import LOGGER

    class Lines(logging.Handler):
        def __init__(self):
            super().__init__()
            self.events = []

        def emit(self, record):
            self.events.append(json.loads(self.format(record)))

    handler = Lines()
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    yield handler.events
    logger.removeHandler(handler)


class Clock:
    """A "now" that moves only when told (naive UTC, as the tables store time)."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Sign-in throttling's time (auth/throttle.py), frozen at the real now and moved
    forward by the test: waits pass without sleeping."""
    from auth.clock import utcnow
    moving = Clock(utcnow())
    monkeypatch.setattr("auth.throttle.utcnow", moving)
    return moving


@pytest.fixture
def make_app(app):
    """Apps of their own (create_app with `extra` settings) on the suite's database,
    with a /_seen route echoing what the app believes of the request; their connections
    closed after, and the one limiter (which create_app re-binds) given back."""
    made = []

    def make(**extra):
        base = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY")}
        other = create_app({**base, "TESTING": True, **extra})
        made.append(other)

        @other.get("/_seen")
        def seen():
            return {"addr": request.remote_addr, "scheme": request.scheme,
                    "host": request.host, "forwarded_for": request.headers.get("X-Forwarded-For")}
        return other
    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    limiter.limit_manager.set_default_limits([])
    limiter.init_app(app)
