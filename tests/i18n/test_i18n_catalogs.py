"""The catalogs (translations/catalogs.py, `make messages`, `make check-messages`):
up to date with the sources, every patient string of every language translated, no
fuzzy entry, no placeholder that differs from the English; and the checks can fail."""
import shutil

import pytest

from babel.messages.pofile import read_po, write_po

from tests.conftest import catalogs

PATIENT_SIDE = "messages"


def test_the_catalogs_are_up_to_date_with_the_sources():
    """A string added, changed or removed in the code or a template, and not brought
    into the catalogs by `make messages`, fails here (and `make check-messages`)."""
    assert catalogs().update(check=True) == []


def test_every_language_translates_every_patient_string(app):
    c = catalogs()
    others = [code for code in app.config["LANGUAGES"] if code != "en"]
    assert others == ["es_US"]
    for code in others:
        path = c.HERE / code / "LC_MESSAGES" / f"{PATIENT_SIDE}.po"
        found = c.problems(path)
        assert found == {"untranslated": [], "fuzzy": [], "errors": []}, (
            f"{code}: run `make translations-status` to list them")
        with path.open("rb") as f:
            assert len([m for m in read_po(f) if m.id]) >= 400


def test_the_dashboard_has_a_catalog_of_its_own(app):
    """Staff-only strings are not in the patient side's catalog (so "0 untranslated"
    is about patients), and the dashboard stays English until it gets an admin.po."""
    c = catalogs()
    patient_side = {m.id for m in c.extract("messages")}
    dashboard = {m.id for m in c.extract("admin")}
    assert "Staff dashboard" in dashboard and "Staff dashboard" not in patient_side
    assert "Sign in to the patient portal" in patient_side
    assert app.config["DASHBOARD_LANGUAGES"] == ["en"]
    assert not list(c.HERE.glob("*/LC_MESSAGES/admin.po"))


def _broken_copy(c, tmp_path):
    """The Spanish catalog with one string gone, one left blank, one fuzzy and one
    whose placeholder differs from the source's."""
    source = c.HERE / "es_US" / "LC_MESSAGES" / "messages.po"
    target = tmp_path / "es_US" / "LC_MESSAGES" / "messages.po"
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    with target.open("rb") as f:
        catalog = read_po(f, locale="es_US")
    catalog.delete("Next")
    catalog["Back"].string = ""
    catalog["Sign in"].flags.add("fuzzy")
    catalog["Use %(max)d characters or fewer."].string = "Use %(maximo)d caracteres o menos."
    with target.open("wb") as f:
        write_po(f, catalog, width=c.WIDTH, include_lineno=False)
    return target


def test_the_checks_find_a_stale_catalog_and_what_is_left_to_translate(tmp_path,
                                                                        monkeypatch):
    c = catalogs()
    target = _broken_copy(c, tmp_path)
    monkeypatch.setattr(c, "HERE", tmp_path)
    stale = c.update(check=True)
    assert len(stale) == 1 and "1 new" in stale[0] and "Next" in stale[0]
    found = c.problems(target)
    assert found["untranslated"] == ["Back"] and found["fuzzy"] == ["Sign in"]
    assert len(found["errors"]) == 1 and "Use %(max)d" in found["errors"][0]
    # `make messages` brings the string back, untranslated (no fuzzy guess).
    c.update()
    after = c.problems(target)
    assert sorted(after["untranslated"]) == ["Back", "Next"]
    assert after["fuzzy"] == ["Sign in"] and c.update(check=True) == []


def test_compiled_catalogs_leave_fuzzy_entries_out(tmp_path, monkeypatch):
    c = catalogs()
    target = _broken_copy(c, tmp_path)
    monkeypatch.setattr(c, "HERE", tmp_path)
    assert c.compile_all() == [target.with_suffix(".mo")]
    from babel.support import Translations
    with target.with_suffix(".mo").open("rb") as f:
        compiled = Translations(f)
    assert compiled.gettext("Sign in") == "Sign in"          # fuzzy: not used
    assert compiled.gettext("Sign out") == "Cerrar sesión"


def test_production_refuses_to_start_without_the_compiled_catalogs(make_app, tmp_path,
                                                                    caplog):
    """Without its .mo a language's pages would silently be English."""
    from config import ConfigError
    empty = {"BABEL_TRANSLATION_DIRECTORIES": f"{tmp_path};{tmp_path}"}
    with pytest.raises(ConfigError, match="make translations.*es_US/LC_MESSAGES/messages.mo"):
        make_app(**empty, PRODUCTION=True)
    make_app(**empty)   # development: starts, and says so in the log
    assert "missing compiled catalogs" in caplog.text


def test_a_dashboard_catalog_joins_in_and_never_changes_a_patient_page(make_app, tmp_path):
    """Ready for catalogs: an admin.po translates the dashboard for staff whose browser
    asks for it (DASHBOARD_LANGUAGES); a string both sides use keeps the patient side's
    translation on every page."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from flask_babel import force_locale, gettext

    from extensions import babel
    c = catalogs()
    folder = tmp_path / "es_US" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(c.HERE / "es_US" / "LC_MESSAGES" / "messages.mo", folder / "messages.mo")
    admin = Catalog(locale="es_US", domain="admin")
    admin.add("Staff dashboard", "Panel del personal")
    admin.add("Name", "Nombre (panel)")
    with (folder / "admin.mo").open("wb") as f:
        write_mo(f, admin)
    other = make_app(BABEL_TRANSLATION_DIRECTORIES=f"{tmp_path};{tmp_path}",
                     DASHBOARD_LANGUAGES=["en", "es_US"])
    # Flask-Babel keeps loaded catalogs on the one Babel object, by locale only (one app
    # per process in production): this app with other catalogs starts and ends afresh.
    with other.app_context():
        cache = babel.domain_instance.cache
    cache.clear()
    try:
        with other.test_request_context(), force_locale("es_US"):
            assert gettext("Staff dashboard") == "Panel del personal"
            assert gettext("Name") == "Nombre completo"
            assert gettext("Sign out") == "Cerrar sesión"
        page = other.test_client().get("/admin/login", headers={"Accept-Language": "es"})
        assert "Panel del personal" in page.get_data(as_text=True)
    finally:
        cache.clear()
