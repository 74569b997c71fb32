"""How the app stands behind a reverse proxy or a load balancer.

* Trusted proxies (TRUSTED_PROXIES, a list of addresses and networks): only when the
  connecting peer (REMOTE_ADDR) is one of them are X-Forwarded-For, -Proto and -Host
  believed.  X-Forwarded-For is walked from the right, skipping trusted hops, as nginx's
  `real_ip_recursive on` does: the first address that is not a trusted proxy is the
  client.  From any other sender the headers are dropped, so a forged X-Forwarded-For
  sent straight to an app server changes nothing (rate limits, audit trail, sessions).
* `/healthz`: 200 when the database answers `SELECT 1`, 503 when it does not; a tiny
  body, no cookie, no rate limit, nothing else (no version, no data).
* PORTAL_SERVER_NAME: when set, every response names the server in `X-Served-By`
  (to see a load balancer's spread); unset, no header.
* SQLite in production: one warning at start ("SQLite is for one server").
* Compression (Flask-Compress, brotli then gzip): every answer of a compressible type,
  the 4xx and 5xx too (an error page, a 422 step fragment), which Flask-Compress by
  itself leaves uncompressed (it compresses 2xx only).
* Ids in paths (`<int:...>`) are 1 to 2**31 - 1, the ids the database holds
  (PostgreSQL's integer): a larger one is a 404 at routing, never a database error.
"""
import ipaddress
import logging
import os
import re

import sqlalchemy as sa
from flask import Blueprint, Flask, make_response
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import IntegerConverter

from config import proxy_networks
from extensions import compress, db, limiter

log = logging.getLogger("portal.serving")
bp = Blueprint("serving", __name__)

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
             "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED",
             "HTTP_X_REQUEST_ID")
HOST_RE = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?")
SQLITE_WARNED = "PORTAL_SQLITE_WARNED"   # set once warned: forked workers say it no more
ID_MAX = 2**31 - 1   # the largest id a table holds (PostgreSQL's integer)


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits only (no sign, no point, not the other
    scripts' digits Python reads), 1 to ID_MAX."""
    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=1, max=ID_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def _address(text: str):
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:   # ::ffff:10.0.0.2 is 10.0.0.2
        ip = ip.ipv4_mapped
    return ip


def _last(value: str | None) -> str:
    return (value or "").rsplit(",", 1)[-1].strip()


class TrustedProxies:
    """WSGI middleware: forwarded headers believed from trusted peers only."""

    def __init__(self, wsgi_app, networks):
        self.wsgi_app = wsgi_app
        self.networks = tuple(networks)

    def trusted(self, address: str) -> bool:
        ip = _address(address or "")
        return ip is not None and any(ip in net for net in self.networks)

    def client(self, forwarded: str, peer: str) -> str:
        """From the right: trusted hops are skipped; the first other address is the
        client.  A malformed entry stops the walk at the last good hop."""
        client = peer
        for hop in reversed(forwarded.split(",")):
            ip = _address(hop)
            if ip is None:
                break
            client = str(ip)
            if not any(ip in net for net in self.networks):
                break
        return client

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR", "")
        if not self.trusted(peer):
            for key in FORWARDED:      # an untrusted sender's word: dropped, not read
                environ.pop(key, None)
            return self.wsgi_app(environ, start_response)
        forwarded = environ.get("HTTP_X_FORWARDED_FOR")
        if forwarded:
            environ["REMOTE_ADDR"] = self.client(forwarded, peer)
        proto = _last(environ.get("HTTP_X_FORWARDED_PROTO")).lower()
        if proto in ("http", "https"):
            environ["wsgi.url_scheme"] = proto
        host = _last(environ.get("HTTP_X_FORWARDED_HOST"))
        if host and HOST_RE.fullmatch(host):
            environ["HTTP_HOST"] = host
        return self.wsgi_app(environ, start_response)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """For the load balancer: does this server reach the database?"""
    try:
        db.session.execute(sa.text("SELECT 1"))
        ok = True
    except SQLAlchemyError as exc:
        log.warning("healthz: the database does not answer (%s)", type(exc).__name__)
        ok = False
    finally:
        db.session.rollback()
    resp = make_response("ok\n" if ok else "unavailable\n", 200 if ok else 503)
    resp.mimetype = "text/plain"
    resp.headers["Cache-Control"] = "no-store"
    return resp


def warn_sqlite_in_production(production: bool, database_uri: str) -> bool:
    """Log once per start (a gunicorn master warns for its workers) when production
    runs on SQLite; True when this call logged it."""
    if not production or not database_uri.startswith("sqlite") or os.environ.get(SQLITE_WARNED):
        return False
    log.warning("DATABASE_URL is SQLite in production: SQLite is for one server. Several "
                "app servers need one PostgreSQL (see README, Deploying).")
    os.environ[SQLITE_WARNED] = "1"
    return True


def init_compression(app: Flask) -> None:
    """Flask-Compress's own after-request hook, for error statuses too: it is given the
    answer as a 200 and the status is put back (no ETag on these, so nothing becomes a
    304)."""
    compress.init_app(app)   # COMPRESS_REGISTER is off: the hook below is the one

    @app.after_request
    def _compress(response):
        code = response.status_code
        if code < 400:
            return compress.after_request(response)
        response.status_code = 200
        try:
            response = compress.after_request(response)
        finally:
            response.status_code = code
        return response


def init_serving(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter   # before any blueprint's routes
    networks = app.config["TRUSTED_PROXIES"]
    if isinstance(networks, (str, int)):   # as typed in the environment, or a config dict
        networks = proxy_networks(str(networks))
    app.config["TRUSTED_PROXIES"] = tuple(networks)
    app.wsgi_app = TrustedProxies(app.wsgi_app, networks)   # none trusted: all dropped
    app.register_blueprint(bp)
    name = app.config.get("PORTAL_SERVER_NAME")
    if name:
        @app.after_request
        def _served_by(resp):
            resp.headers["X-Served-By"] = name
            return resp
    warn_sqlite_in_production(app.config["PRODUCTION"], app.config["SQLALCHEMY_DATABASE_URI"])
