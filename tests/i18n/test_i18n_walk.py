"""Every patient page, step, error state and email, walked in English and in Spanish
(es_US) through the test client: the Spanish one must show no English string, but for
data (what the patient typed, names of practices, states, codes, numbers).  A string
that stayed English is a string not marked for translation, or not translated."""
import pytest
import sqlalchemy as sa

from enrollment.models import Location, Practice, Provider
from extensions import db
from tests.i18n import walk, walk_account
from tests.i18n.compare import same_in_both, visible
from tests.wizard import GOOD


def known_names(app) -> list[str]:
    """Practices, providers and places: the practice's words, the same in every
    language."""
    with app.app_context():
        return [*db.session.execute(sa.select(Practice.name)).scalars(),
                *db.session.execute(sa.select(Provider.name)).scalars(),
                *db.session.execute(sa.select(Location.name)).scalars(),
                *db.session.execute(sa.select(Location.address)).scalars()]


def typed(*ns) -> list[str]:
    values = [v for step in GOOD.values() for v in step.values()]
    for n in ns:
        d = walk.data_of(n)
        values += [*d["personal"].values(), *d["credentials"].values()]
    return values + ["Acme Health", "A check-up", "Please check your street address.",
                     "free-name-42", "localhost"]


def assert_spanish(en: dict, es: dict, data: list[str]) -> None:
    assert list(en) == list(es), "the two walks saw different pages"
    left = {label: found for label in es
            if (found := same_in_both(en[label], es[label], data))}
    assert left == {}, "English left on the Spanish pages"
    for label, html in es.items():
        if "<html" in html:
            assert '<html lang="es-US">' in html, label
        assert visible(html), label


def test_the_comparison_finds_an_english_string_and_passes_data():
    en = "<p>Hello</p><p>Step 1</p><p>Maria Delgado</p><button title='Close'>×</button>"
    es = "<p>Hola</p><p>Step 1</p><p>Maria Delgado</p><button title='Close'>×</button>"
    assert same_in_both(en, es, ["Maria Delgado"]) == ["Close", "Step 1"]
    assert same_in_both("<p>12 Elm Street, IL 62701</p>", "<p>12 Elm Street, IL 62701</p>",
                        ["12 Elm Street"]) == []


def test_every_enrollment_page_and_error_state_is_in_spanish(app, practices, monkeypatch):
    en = walk.enrollment(app, practices, "en", 1, monkeypatch)
    es = walk.enrollment(app, practices, "es", 2, monkeypatch)
    assert len(es) >= 35
    assert_spanish(en, es, typed(1, 2, 51, 52) + known_names(app))


def test_every_confirmation_link_page_is_in_spanish(app, practices):
    en = walk.confirmation_pages(app, practices, "en", 3)
    es = walk.confirmation_pages(app, practices, "es", 4)
    assert_spanish(en, es, typed(3, 4) + known_names(app))


def test_every_page_after_submission_and_every_email_is_in_spanish(app, practices,
                                                                      make_staff):
    staff = make_staff("ana@hillcrest.example", practice="hillcrest-internal")
    en = walk_account.account(app, practices, staff, "en", 5)
    es = walk_account.account(app, practices, staff, "es", 6)
    assert len(es) >= 30
    data = typed(5, 6) + known_names(app)
    assert_spanish(en, es, data)
    en_mail, es_mail = walk_account.emails(app, 5), walk_account.emails(app, 6)
    assert {label.split(" #")[0] for label in es_mail} >= {
        "received_confirm", "needs_info", "approved", "patient_reset",
        "patient_password_changed", "patient_usernames"}
    assert_spanish(en_mail, es_mail, data)


def test_the_limits_pages_are_in_spanish(app, practices, monkeypatch):
    en = walk_account.limits(app, monkeypatch, "en", 7)
    walk.reset_limits(app)
    es = walk_account.limits(app, monkeypatch, "es", 8)
    assert_spanish(en, es, typed(7, 8))


@pytest.mark.parametrize("code", [400, 404, 422, 429, 500])
def test_the_error_pages_are_in_spanish(make_app, code):
    from werkzeug.exceptions import abort
    other = make_app(PROPAGATE_EXCEPTIONS=False)

    @other.get("/_fail")
    def fail():
        if code == 500:
            raise RuntimeError("a bug")
        abort(code)
    pages = {}
    for lang in ("en", "es"):
        resp = walk.browser(other, lang).get("/_fail")
        assert resp.status_code == code
        pages[lang] = {"error": resp.get_data(as_text=True)}
    assert_spanish(pages["en"], pages["es"], [])
