"""What is kept between requests for speed (README "Benchmark"): the list of practices
and the first step's page of a first visit.  Never a CSRF token, never a draft's page;
one page per language; a practice changed shows at once on this server, and on another
server when its copy expires (PRACTICE_LIST_SECONDS)."""
import re

import sqlalchemy as sa
from flask_babel import force_locale, gettext

from database import write_transaction
from enrollment import page_cache, practice_list
from enrollment.models import Practice
from extensions import db
from tests.conftest import csrf_token

OPTIONS = re.compile(r'<option value="(\d+)"[^>]*>([^<]+)</option>')


def names(html: str) -> list[str]:
    return [name for _, name in OPTIONS.findall(html)]


def page(client, **headers) -> str:
    resp = client.get("/enroll/practice", headers=headers)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_each_browser_gets_its_own_token_and_it_works(app, practices):
    first, second = app.test_client(), app.test_client()
    one, two = page(first), page(second)
    assert csrf_token(one) != csrf_token(two)
    assert page_cache.PLACEHOLDER not in one + two
    assert ("csrf-placeholder") not in one + two
    # The page was kept: the second browser's came from it, with its own token.
    assert app.extensions.get(page_cache.EXTENSION)
    riverside = practices["riverside-family"]
    wrong = first.post("/enroll/practice", data={"csrf_token": csrf_token(two),
                                                 "practice": riverside, "action": "next"})
    assert wrong.status_code == 400   # another browser's token: refused, as before
    right = first.post("/enroll/practice", data={"csrf_token": csrf_token(page(first)),
                                                 "practice": riverside, "action": "next"})
    assert right.status_code == 303


def test_no_token_is_kept(app, practices):
    client = app.test_client()
    token = csrf_token(page(client))
    kept = app.extensions[page_cache.EXTENSION]
    assert kept and all(page_cache.PLACEHOLDER in html and token not in html
                        for html in kept.values())


def test_a_page_per_language(app, practices):
    client = app.test_client()
    english = page(client, **{"Accept-Language": "en"})
    spanish = page(client, **{"Accept-Language": "es-MX"})
    again = page(client, **{"Accept-Language": "en"})
    assert '<html lang="en">' in english and '<html lang="en">' in again
    assert '<html lang="es-US">' in spanish
    assert "Paso 1 de" in spanish and "Paso 1 de" not in english + again
    assert "Step 1 of" in english and "Step 1 of" not in spanish


def test_a_draft_page_is_never_kept(app, practices):
    client = app.test_client()
    hillcrest = practices["hillcrest-internal"]
    client.post("/enroll/practice", data={"csrf_token": csrf_token(page(client)),
                                          "practice": hillcrest, "action": "next"})
    mine = page(client)
    assert re.search(rf'<option selected value="{hillcrest}"|<option value="{hillcrest}" '
                     r'selected', mine)
    assert "selected" not in page(app.test_client())   # a first visit: nothing chosen
    assert all("selected" not in html
               for html in app.extensions[page_cache.EXTENSION].values())


def test_a_practice_changed_here_shows_at_once(app, practices):
    client = app.test_client()
    assert "Hillcrest Internal Medicine" in names(page(client))
    with app.app_context():
        with write_transaction():   # through the ORM
            db.session.get(Practice, practices["hillcrest-internal"]).name = "Hillcrest Clinic"
    assert "Hillcrest Clinic" in names(page(client))
    with app.app_context():
        with write_transaction():   # a bulk UPDATE: no object in the session
            db.session.execute(sa.update(Practice).where(
                Practice.id == practices["riverside-family"]).values(active=False))
    assert names(page(client)) == ["Hillcrest Clinic"]
    with app.app_context(), db.engine.begin() as conn:   # plain SQL
        conn.execute(sa.text("UPDATE practice SET active = :yes"), {"yes": True})
    assert sorted(names(page(client))) == ["Hillcrest Clinic", "Riverside Family Medicine"]


def test_another_server_sees_a_change_when_its_copy_expires(app, practices, monkeypatch):
    """Another server's write goes by none of this process's statements: it is written
    here on a bare DB-API connection, which SQLAlchemy's events do not see."""
    now = [1000.0]
    monkeypatch.setattr(practice_list, "clock", lambda: now[0])
    client = app.test_client()
    assert "Hillcrest Internal Medicine" in names(page(client))
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("UPDATE practice SET name = 'Hillcrest Renamed' WHERE id = "
                           f"{int(practices['hillcrest-internal'])}")
            raw.commit()
        finally:
            raw.close()
    seconds = app.config["PRACTICE_LIST_SECONDS"]
    assert seconds > 0
    now[0] += seconds - 0.5
    assert "Hillcrest Internal Medicine" in names(page(client))   # still this copy
    now[0] += 1
    listed = names(page(client))
    assert "Hillcrest Renamed" in listed and "Hillcrest Internal Medicine" not in listed


def test_nothing_is_kept_with_zero_seconds(app, practices, monkeypatch):
    monkeypatch.setitem(app.config, "PRACTICE_LIST_SECONDS", 0)
    app.extensions.pop(page_cache.EXTENSION, None)
    client = app.test_client()
    page(client)
    assert not app.extensions.get(page_cache.EXTENSION)
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            raw.cursor().execute("UPDATE practice SET name = 'Riverside Now'")
            raw.commit()
        finally:
            raw.close()
    assert "Riverside Now" in names(page(client))


def test_a_catalog_per_request_and_locale(app):
    """The catalog found once per request follows the locale when it changes within
    the request (an email in the patient's language)."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("Next") == "Next"
        with force_locale("es_US"):
            assert gettext("Next") == "Siguiente"
        assert gettext("Next") == "Next"
