"""gunicorn.conf.py under real gunicorn: the access log keeps no token of an emailed
link (every route with a token in its path), and production on SQLite warns once for
all the workers."""
import os
import re
import secrets
import time

import requests

import crypto
from deploy.access_log import PLACEHOLDER, redact
from deploy.cluster import BIN, ROOT, free_port, start_process, wait_for_port

SAMPLE = "Tk9-sEcReT_" + secrets.token_urlsafe(16)


def token_routes(app) -> list[tuple[str, str]]:
    """(method, path) for every route with a token in its path, token = SAMPLE."""
    found = []
    for rule in app.url_map.iter_rules():
        if "token" in rule.arguments:
            path = re.sub(r"<(?:\w+:)?token>", SAMPLE, rule.rule)
            found += [(m, path) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def gunicorn(tmp_path, env: dict, name: str = "gunicorn"):
    port = free_port()
    env = {**os.environ, **env, "PORTAL_BIND": f"127.0.0.1:{port}"}
    process = start_process(name, [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
                            env, tmp_path)
    wait_for_port(port, process.proc, process.log)
    return process, f"http://127.0.0.1:{port}"


def test_every_token_route_is_redacted(app):
    routes = token_routes(app)
    paths = {path for _, path in routes}
    assert {f"/recover/{SAMPLE}", f"/enroll/confirm/{SAMPLE}", f"/admin/invite/{SAMPLE}",
            f"/admin/reset/{SAMPLE}"} <= paths
    for path in paths:
        assert SAMPLE not in redact(path) and PLACEHOLDER in redact(path), path
    assert redact("/enroll/personal?step=2") == "/enroll/personal?step=2"


def test_gunicorn_access_log_keeps_no_token(app, tmp_path):
    log = tmp_path / "access.log"
    process, url = gunicorn(tmp_path, {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"], "WEB_CONCURRENCY": "1",
        "PORTAL_ACCESS_LOG": str(log)})
    routes = token_routes(app)
    try:
        for method, path in routes:
            resp = requests.request(method, f"{url}{path}?from=email", timeout=10,
                                    headers={"Referer": f"{url}{path}"})
            assert resp.status_code < 500, (method, path, resp.status_code)
        requests.get(f"{url}/healthz", timeout=10)
    finally:
        assert process.stop() == 0
    text = log.read_text()
    assert SAMPLE not in text
    lines = text.splitlines()
    assert len(lines) == len(routes) + 1
    for method, path in routes:
        logged = f'"{method} {redact(path)}?from=email HTTP/1.1"'
        assert PLACEHOLDER in logged and any(logged in line for line in lines), logged
    assert '"GET /healthz HTTP/1.1" 200' in lines[-1]


def test_production_on_sqlite_warns_once_for_all_workers(tmp_path):
    process, _url = gunicorn(tmp_path, {
        "PORTAL_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
        "MAIL_SERVER": "127.0.0.1", "PORTAL_BASE_URL": "https://portal.example.org",
        "PORTAL_DATA_KEYS": crypto.new_data_key(), "PORTAL_INDEX_KEY": crypto.new_index_key(),
        "DATABASE_URL": f"sqlite:///{tmp_path}/one.db", "WEB_CONCURRENCY": "2",
        "PORTAL_ACCESS_LOG": "off", "PORTAL_SQLITE_WARNED": ""})
    try:
        deadline = time.monotonic() + 30
        while process.log.read_text().count("ready (app loaded)") < 2:
            assert time.monotonic() < deadline, process.log.read_text()
            time.sleep(0.1)
    finally:
        process.stop()
    assert process.log.read_text().count("SQLite is for one server") == 1


def test_the_readme_shows_the_nginx_block_the_tests_run():
    block = (ROOT / "deploy" / "nginx.conf").read_text().rstrip("\n")
    assert f"```nginx\n{block}\n```" in (ROOT / "README.md").read_text()
