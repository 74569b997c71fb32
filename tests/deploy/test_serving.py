"""serving.py: forwarded headers believed from trusted proxies only, /healthz, the
X-Served-By header, the SQLite warning in production.  (Behind a real nginx with two
gunicorn servers: test_load_balanced.py.)"""
import ipaddress
import logging

import pytest

import config
import serving
from extensions import limiter

FORGED = "203.0.113.9"




def seen(made, peer: str, **headers) -> dict:
    names = {"xff": "X-Forwarded-For", "proto": "X-Forwarded-Proto",
             "host": "X-Forwarded-Host"}
    resp = made.test_client().get("/_seen", environ_base={"REMOTE_ADDR": peer},
                                  headers={names[k]: v for k, v in headers.items()})
    return resp.get_json()


# --- the setting -----------------------------------------------------------------------

def test_trusted_proxies_are_addresses_and_networks():
    assert config.proxy_networks("") == ()
    assert config.proxy_networks("127.0.0.1, 10.0.0.0/8 2001:db8::/32") == (
        ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("2001:db8::/32"))


@pytest.mark.parametrize("raw, says", [
    ("1", "not how many there are"),              # the old form: a count
    ("0", "not how many there are"),
    ("proxy.internal", "is not an address or a network"),
    ("10.0.0.1/8", "is not an address or a network"),   # host bits set: a typo?
    ("127.0.0.1,300.1.1.1", "'300.1.1.1' is not an address"),
])
def test_a_count_or_a_bad_address_stops_the_start_with_a_clear_message(
        monkeypatch, tmp_path, raw, says):
    monkeypatch.setenv("TRUSTED_PROXIES", raw)
    with pytest.raises(config.ConfigError, match=says):
        config.load_config(str(tmp_path))


# --- the middleware --------------------------------------------------------------------

def test_without_trusted_proxies_forwarded_headers_are_ignored(make_app):
    made = make_app()
    got = seen(made, "127.0.0.1", xff=FORGED, proto="https", host="evil.example")
    assert got == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost",
                   "forwarded_for": None}


def test_a_trusted_peer_gives_the_client_address_scheme_and_host(make_app):
    made = make_app(TRUSTED_PROXIES="10.0.0.2")
    got = seen(made, "10.0.0.2", xff=FORGED, proto="https", host="portal.example.org")
    assert got["addr"] == FORGED
    assert (got["scheme"], got["host"]) == ("https", "portal.example.org")


def test_a_forged_header_from_an_untrusted_peer_is_ignored_and_dropped(make_app):
    made = make_app(TRUSTED_PROXIES="10.0.0.2")
    got = seen(made, "10.0.0.3", xff=FORGED, proto="https", host="evil.example")
    assert got == {"addr": "10.0.0.3", "scheme": "http", "host": "localhost",
                   "forwarded_for": None}


@pytest.mark.parametrize("forwarded, client", [
    # walked from the right, trusted hops skipped: the first other address is the client
    (f"198.51.100.7, {FORGED}, 10.1.2.3", FORGED),
    (f"{FORGED}, 10.9.9.9, 10.1.2.3", FORGED),
    ("10.0.0.9, 10.1.1.1", "10.0.0.9"),          # all trusted: the leftmost
    ("bogus, 10.1.1.1", "10.1.1.1"),             # a malformed entry stops the walk
    (f"{FORGED}, bogus", "10.0.0.2"),
    (f"{FORGED}:4711", "10.0.0.2"),              # host:port is not an address
    ("2001:db8::7", "2001:db8::7"),
])
def test_x_forwarded_for_is_walked_from_the_right(make_app, forwarded, client):
    made = make_app(TRUSTED_PROXIES="10.0.0.0/8")
    assert seen(made, "10.0.0.2", xff=forwarded)["addr"] == client


def test_an_ipv4_mapped_peer_is_the_same_address(make_app):
    made = make_app(TRUSTED_PROXIES="10.0.0.2")
    assert seen(made, "::ffff:10.0.0.2", xff=FORGED)["addr"] == FORGED


def test_only_a_plain_scheme_and_host_are_taken(make_app):
    made = make_app(TRUSTED_PROXIES="10.0.0.2")
    got = seen(made, "10.0.0.2", proto="javascript", host="a b/c")
    assert (got["scheme"], got["host"]) == ("http", "localhost")
    got = seen(made, "10.0.0.2", proto="http, https", host="x.example, portal.example:8443")
    assert (got["scheme"], got["host"]) == ("https", "portal.example:8443")


def test_the_rate_limit_counts_the_believed_client_address(make_app):
    made = make_app(TRUSTED_PROXIES="10.0.0.2", PATIENT_LOGIN_LIMIT="2 per minute",
                    WTF_CSRF_ENABLED=False)   # the limit, not the form, is under test
    with made.app_context():
        limiter.reset()

    def sign_in(client_address):
        return made.test_client().post(
            "/login", data={"username": "nobody-here", "password": "wrong password 12"},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
            headers={"X-Forwarded-For": client_address}).status_code
    assert [sign_in("198.51.100.1") for _ in range(3)] == [401, 401, 429]
    assert sign_in("198.51.100.2") == 401        # another client, behind the same proxy


# --- /healthz --------------------------------------------------------------------------

def test_healthz_answers_ok_and_nothing_else(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_data() == b"ok\n"
    assert resp.mimetype == "text/plain"
    assert resp.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in resp.headers


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://nobody@127.0.0.1:9/nothing?connect_timeout=3",   # refused
    "sqlite:////nonexistent-folder/for/healthz.db",                        # cannot open
])
def test_healthz_answers_503_when_the_database_does_not(make_app, url, caplog):
    made = make_app(SQLALCHEMY_DATABASE_URI=url)
    with caplog.at_level(logging.WARNING, logger="portal.serving"):
        resp = made.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_data() == b"unavailable\n"
    assert resp.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in resp.headers
    assert "the database does not answer (OperationalError)" in caplog.text


@pytest.fixture
def default_limit(make_app):
    """An application-wide default limit (which the portal does not set today)."""
    made = make_app(RATELIMIT_DEFAULT="2 per minute")
    with made.app_context():
        limiter.reset()
    return made


def test_healthz_is_exempt_from_rate_limits(default_limit):
    client = default_limit.test_client()
    assert [client.get("/_seen").status_code for _ in range(3)] == [200, 200, 429]
    assert {client.get("/healthz").status_code for _ in range(5)} == {200}


# --- X-Served-By, the SQLite warning -------------------------------------------------

def test_the_server_names_itself_only_when_told(make_app, client):
    assert "X-Served-By" not in client.get("/healthz").headers
    named = make_app(PORTAL_SERVER_NAME="app-2")
    assert named.test_client().get("/healthz").headers["X-Served-By"] == "app-2"


def test_production_on_sqlite_warns_once(make_app, monkeypatch, caplog, tmp_path):
    monkeypatch.setenv(serving.SQLITE_WARNED, "")     # restored after the test
    sqlite = "sqlite:///" + str(tmp_path / "one.db")
    with caplog.at_level(logging.WARNING, logger="portal.serving"):
        make_app(SQLALCHEMY_DATABASE_URI=sqlite)
        assert "SQLite is for one server" not in caplog.text      # development: quiet
        for _ in range(2):
            make_app(SQLALCHEMY_DATABASE_URI=sqlite, PRODUCTION=True)
    assert caplog.text.count("SQLite is for one server") == 1
    assert not serving.warn_sqlite_in_production(True, "postgresql+psycopg://db/portal")
