"""gunicorn settings for the portal: `gunicorn -c gunicorn.conf.py` (gunicorn also reads
./gunicorn.conf.py by itself when started in this folder).  From the environment:

    PORTAL_BIND        where to listen: default 127.0.0.1:8000 (several: comma-separated)
    WEB_CONCURRENCY    worker processes: default 2 x cores + 1, at most 8
    PORTAL_ACCESS_LOG  the access log: a file, "-" for standard output (default), "off"

Command-line options win over this file (`gunicorn -c gunicorn.conf.py -w 2`).  The
access log replaces the token of an emailed link's path with [token]
(deploy/access_log.py).  Forwarded headers are left to the app alone (TRUSTED_PROXIES,
serving.py): gunicorn's own X-Forwarded-Proto handling is off.
"""
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploy.access_log import RedactingLogger  # noqa: E402

wsgi_app = "app:create_app()"
bind = [a.strip() for a in os.environ.get("PORTAL_BIND", "127.0.0.1:8000").split(",")
        if a.strip()]
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "sync"          # behind nginx, which buffers slow clients
timeout = 30
graceful_timeout = 30
max_requests = 5000            # a worker is renewed now and then (memory creep)
max_requests_jitter = 500
secure_scheme_headers = {}
forwarded_allow_ips = ""

_access = os.environ.get("PORTAL_ACCESS_LOG", "-").strip()
accesslog = None if _access.lower() in ("", "off", "none") else _access
# client (as the app believes it), time, request line, status, bytes, milliseconds, agent
access_log_format = '%(h)s - %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
logger_class = RedactingLogger


def on_starting(server):
    """Once per start, in the master (workers inherit that it was said)."""
    from serving import warn_sqlite_in_production
    production = os.environ.get("PORTAL_ENV", "development").lower() == "production"
    warn_sqlite_in_production(production, os.environ.get("DATABASE_URL") or "sqlite:")


def post_worker_init(worker):
    worker.log.info("Worker %s ready (app loaded)", worker.pid)
