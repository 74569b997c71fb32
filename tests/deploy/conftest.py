"""The cluster of test_load_balanced.py: two gunicorn app servers behind a real nginx
(deploy/cluster.py), one PostgreSQL database of its own (lb_test_<random>, migrated with
`flask db upgrade`, dropped after), one Redis database (LB_TEST_REDIS_DB, default 13,
flushed before and after), a real SMTP sink (aiosmtpd) and two outbox senders.

Runs in the PostgreSQL pass (TEST_DATABASE_URL).  Without nginx or Redis it is skipped,
unless CI=true, where that is an error."""
import os
import secrets
from dataclasses import dataclass, field

import psycopg
import pytest
import redis
import sqlalchemy as sa

import crypto
from deploy.cluster import Cluster, Process, nginx_binary, run_flask
from tests.outbox.conftest import SmtpServer

REDIS_DB = int(os.environ.get("LB_TEST_REDIS_DB", "13"))
STAFF_EMAIL = "lb.staff@riverside.example"
STAFF_PASSWORD = "quiet harbour lantern 42"
LOGIN_LIMIT = 3


def required(missing: str) -> None:
    message = f"the load-balanced test needs {missing}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true requires it)")
    pytest.skip(message)


def prerequisites() -> str:
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("the load-balanced test runs in the PostgreSQL pass (TEST_DATABASE_URL)")
    if nginx_binary() is None:
        required("nginx (Debian: apt-get install nginx-light)")
    try:
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_timeout=3).ping()
    except redis.RedisError as exc:
        required(f"Redis on 127.0.0.1:6379 ({exc})")
    return base


@dataclass
class LoadBalanced:
    cluster: Cluster
    smtp: SmtpServer
    conninfo: str
    senders: list[Process] = field(default_factory=list)

    def sql(self, query: str, *params) -> list[tuple]:
        with psycopg.connect(self.conninfo) as conn:
            return conn.execute(query, params).fetchall()


def flush_redis() -> None:
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_timeout=3).flushdb()


SHARED = {"secret": secrets.token_urlsafe(48), "data": crypto.new_data_key(),
          "index": crypto.new_index_key()}


def server_env(url: str, smtp_port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    # What every server shares: one database, one Redis, the same keys.
    return {**env, "DATABASE_URL": url, "SECRET_KEY": SHARED["secret"],
            "PORTAL_DATA_KEYS": SHARED["data"], "PORTAL_INDEX_KEY": SHARED["index"],
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "HUMAN_CHECK": "on", "PATIENT_LOGIN_LIMIT": f"{LOGIN_LIMIT} per 15 minutes",
            "PATIENT_RECOVERY_LIMIT": "100 per hour",
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
            "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024",   # cheap: not under test
            "PORTAL_STAFF_PASSWORD": STAFF_PASSWORD}


@pytest.fixture(scope="module")
def lb(tmp_path_factory):
    base = prerequisites()
    name = f"lb_test_{secrets.token_hex(4)}"
    admin = sa.engine.make_url(base).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    flush_redis()
    smtp = SmtpServer()
    smtp.handler.delay = 0.15        # a conversation takes a moment: both senders get work
    smtp.start()
    cluster = None
    try:
        env = server_env(url, smtp.port)
        run_flask(env, "db", "upgrade")
        run_flask(env, "seed-demo")
        run_flask(env, "staff", "create", STAFF_EMAIL, "--practice", "riverside-family")
        cluster = Cluster(tmp_path_factory.mktemp("cluster"), env, servers=2).start()
        senders = [cluster.start_sender(i) for i in range(2)]
        yield LoadBalanced(cluster, smtp, admin.set(database=name).render_as_string(
            hide_password=False), senders)
    finally:
        if cluster is not None:
            cluster.stop()
        smtp.stop()
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        flush_redis()
