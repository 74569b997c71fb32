"""What a step's valid post costs the database (README "Benchmark"): one SELECT of the
draft and one UPDATE of it.  The draft's practice comes from the copy kept per process
(practice_list.practice), dropped as the practice list is: a practice closed on this
server is seen by the next post at once; on another server, when the copy expires."""
from sqlalchemy import event

from enrollment import practice_list
from extensions import db
from tests.conftest import csrf_token


def _start(app, practices):
    client = app.test_client()
    body = {"csrf_token": csrf_token(client.get("/enroll/practice").get_data(as_text=True)),
            "practice": practices["riverside-family"], "action": "next"}
    assert client.post("/enroll/practice", data=body).status_code == 303
    client.get("/enroll/personal")
    return client, body


def _statements(app, run) -> list[str]:
    seen = []
    with app.app_context():
        engine = db.engine

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split()[0].upper())
    event.listen(engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def test_a_step_post_is_one_select_and_one_update(app, practices):
    client, body = _start(app, practices)
    resp = []
    seen = _statements(app, lambda: resp.append(client.post(
        "/enroll/practice", data=body, headers={"HX-Request": "true"})))
    assert resp[0].status_code == 200 and 'name="first_name"' in resp[0].get_data(as_text=True)
    assert [s for s in seen if s in ("SELECT", "UPDATE", "INSERT", "DELETE")] == \
        ["SELECT", "UPDATE"]


CLOSED = "no longer takes online enrollment"


def _close(app, practices, raw: bool):
    sql = f"UPDATE practice SET active = FALSE WHERE id = {int(practices['riverside-family'])}"
    with app.app_context():
        if not raw:   # plain SQL on this server: seen on its way to the database
            with db.engine.begin() as conn:
                conn.exec_driver_sql(sql)
            return
        conn = db.engine.raw_connection()   # another server: no event of this process
        try:
            conn.cursor().execute(sql)
            conn.commit()
        finally:
            conn.close()


def test_a_practice_closed_here_is_seen_at_once(app, practices):
    client, body = _start(app, practices)
    client.get("/enroll/personal")   # the practice kept now
    _close(app, practices, raw=False)
    resp = client.post("/enroll/personal", data={"csrf_token": body["csrf_token"],
                                                  "action": "next"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/enroll/practice")
    assert CLOSED in client.get("/enroll/practice").get_data(as_text=True)


def test_another_server_closing_it_is_seen_when_the_copy_expires(app, practices,
                                                                  monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(practice_list, "clock", lambda: now[0])
    client, body = _start(app, practices)
    client.get("/enroll/personal")   # the practice kept now
    _close(app, practices, raw=True)
    # Within the copy's seconds, this server still takes the practice as open...
    assert CLOSED not in client.get("/enroll/personal").get_data(as_text=True)
    now[0] += app.config["PRACTICE_LIST_SECONDS"] + 1
    # ...then sees it closed: the patient is sent back to choose, with the notice.
    resp = client.get("/enroll/personal")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/enroll/practice")
    assert CLOSED in client.get("/enroll/practice").get_data(as_text=True)
