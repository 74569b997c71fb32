"""seclog.py: security events as ONE JSON object per line on stderr, naming accounts
and requests by id only (a field outside the allow-list is refused, so nobody logs a
username by accident), with the HTTP request's id, which the response carries back in
X-Request-ID; a proxy's id is taken only from a trusted proxy and only when safe."""
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import seclog
from seclog import security_event
from tests.outbox.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("key", ["username", "email", "name", "first_name", "q", "term",
                                 "token", "password", "dob", "phone", "detail", "message"])
def test_a_field_outside_the_allow_list_is_refused(app, key, security_log):
    with app.test_request_context(), pytest.raises(TypeError, match="may not be logged"):
        security_event(seclog.SIGN_IN_FAILED, **{key: "Maria"})
    assert security_log == []


@pytest.mark.parametrize("fields", [
    {"staff_id": "maria.d@example.org"}, {"patient_id": "MariaD84"}, {"request_id": 1.5},
    {"practice_id": True}, {"reason": "Maria Delgado"}, {"kind": "MariaD84"},
    {"decision": "approved because she called"}, {"reason": "x" * 41}])
def test_ids_are_whole_numbers_and_codes_are_short_codes(app, fields, security_log):
    with app.test_request_context(), pytest.raises(ValueError):
        security_event(seclog.SIGN_IN_FAILED, **fields)
    assert security_log == []


def test_an_unknown_event_is_refused(app):
    with pytest.raises(ValueError, match="unknown security event"):
        security_event("user_typed_maria")


def test_one_json_object_per_line_on_stderr(app, capsys):
    with app.test_request_context("/admin/login", environ_base={"REMOTE_ADDR": "192.0.2.9"}):
        app.preprocess_request()
        security_event(seclog.SIGN_IN_FAILED, reason="wrong", kind="staff", staff_id=7,
                       practice_id=2, request_id=None)
        security_event(seclog.KEY_ROTATED, rows=12)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first.pop("ts").endswith("Z") and first.pop("http_request_id")
    assert first == {"event": "sign_in_failed", "endpoint": "admin.login",
                     "ip": "192.0.2.9", "reason": "wrong", "kind": "staff",
                     "staff_id": 7, "practice_id": 2}
    assert second["event"] == "key_rotated" and second["rows"] == 12


def test_outside_a_request_a_line_has_no_request_fields(app, capsys):
    with app.app_context():
        security_event(seclog.KEY_ROTATED, rows=3, key_version="k2")
    line = json.loads(capsys.readouterr().err)
    assert set(line) == {"ts", "event", "rows", "key_version"}


def test_every_response_carries_its_own_request_id(app, client, security_log):
    one, two = client.get("/admin/"), client.get("/admin/")
    ids = [one.headers["X-Request-ID"], two.headers["X-Request-ID"]]
    assert ids[0] != ids[1] and all(seclog.SAFE_ID.fullmatch(i) for i in ids)
    # Signed out: the guard's access denial names the same id as the response.
    assert [(e["event"], e["reason"], e["http_request_id"]) for e in security_log] == [
        ("access_denied", "not_signed_in", ids[0]), ("access_denied", "not_signed_in", ids[1])]


@pytest.mark.parametrize("proxies,given,kept", [
    ("127.0.0.1", "abcDEF12-3456.789_0", True),     # the test client's peer is trusted
    ("", "abcDEF12-3456.789_0", False),             # no proxy: the client may not choose
    ("10.0.0.0/8", "abcDEF12-3456.789_0", False),   # a proxy, but not this peer
    ("127.0.0.1", "short", False), ("127.0.0.1", "x" * 65, False),
    ("127.0.0.1", "id with spaces", False), ("127.0.0.1", 'a"}{"event":"forged', False),
    ("127.0.0.1", "abc\r\nSet-Cookie: x", False),
])
def test_a_proxy_request_id_is_taken_only_when_trusted_and_safe(make_app, proxies, given,
                                                                 kept):
    client = make_app(TRUSTED_PROXIES=proxies).test_client()
    try:
        got = client.get("/admin/", headers={"X-Request-ID": given}).headers["X-Request-ID"]
    except ValueError:   # the test client itself refuses a header with a newline
        assert "\n" in given
        return
    assert (got == given) is kept and seclog.SAFE_ID.fullmatch(got)


def test_sql_echo_is_off_and_its_logger_quiet(app):
    import logging
    assert app.config["SQLALCHEMY_ECHO"] is False
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() >= logging.WARNING
    assert not logging.getLogger(seclog.LOGGER).propagate   # one line, not two


def test_even_with_sql_logging_turned_on_no_value_is_logged(app, caplog):
    """If someone turns SQLAlchemy's statement logging on (INFO), the values still stay
    out (hide_parameters), and so they do from a database error's message, which a
    500 would log."""
    import logging

    import sqlalchemy as sa

    from extensions import db
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    with app.app_context():
        db.session.execute(sa.text("SELECT :v"), {"v": "Okonkwo-Lindqvist"})
        with pytest.raises(sa.exc.DBAPIError) as failed:
            db.session.execute(sa.text("SELECT * FROM no_such_table WHERE x = :v"),
                               {"v": "Okonkwo-Lindqvist"})
        db.session.rollback()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "SELECT" in logged and "parameters hidden" in logged
    assert "Okonkwo" not in logged and "Okonkwo" not in str(failed.value)


def test_under_gunicorn_the_lines_reach_stderr(tmp_path):
    """The real server: a signed-out visit to the dashboard is an access denial, one
    JSON line on gunicorn's stderr with the id the response carried."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/gunicorn.db",
           "SECRET_KEY": "g" * 40, "PYTHONWARNINGS": "ignore"}
    env.pop("PORTAL_ENV", None)
    err = open(tmp_path / "stderr", "w+")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-w", "1",
                             "-b", f"127.0.0.1:{port}", "app:create_app()"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        resp = _get_when_up(f"http://127.0.0.1:{port}/admin/")
        rid = resp.headers["X-Request-ID"]
        resp.close()
        for _ in range(50):
            lines = [json.loads(line) for line in (tmp_path / "stderr").read_text()
                     .splitlines() if line.startswith("{")]
            if any(e.get("http_request_id") == rid for e in lines):
                break
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        err.close()
    # On a loaded machine a first try can time out and be sent again: every line is
    # such a denial, and the answered request's id is on exactly one of them.
    assert {(e["event"], e["reason"], e["endpoint"]) for e in lines} == {
        ("access_denied", "not_signed_in", "admin.queue")}
    assert [e["http_request_id"] for e in lines].count(rid) == 1


def _get_when_up(url: str):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    opener = urllib.request.build_opener(NoRedirect)
    for _ in range(100):
        try:
            return opener.open(url, timeout=2)
        except urllib.error.HTTPError as exc:   # the 303 to the sign-in page
            return exc
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")
