"""htmx.py: page or fragment (a fragment carries its page's <title>), and one helper for
each HX-* response header; no other module writes an HX-* string."""
import re
from pathlib import Path

import jinja2
import pytest
from flask import make_response

import htmx

ROOT = Path(__file__).resolve().parent.parent
HX = {"HX-Request": "true"}
HX_STRING = re.compile(r"""["']HX-""")

# A page two layouts deep, as the app's are: base (title, main), a layout (the default
# heading: the view's), pages that override the heading or keep the view's.
TEMPLATES = {
    "t/base.html": "<title>{% block title %}Site{% endblock %}</title>"
                   "<main>{% block main %}{% endblock %}</main>",
    "t/layout.html": '{% extends "t/base.html" %}'
                     "{% block heading %}{{ heading }}{% endblock %}"
                     "{% block title %}{{ self.heading() }} – Site{% endblock %}"
                     "{% block main %}{% block content %}{% endblock %}{% endblock %}",
    "t/page.html": '{% extends "t/layout.html" %}'
                   "{% block heading %}Own heading{% endblock %}"
                   "{% block content %}<h1>{{ self.heading() }}</h1>"
                   "<div id=part>{% block part %}{{ n }}{% endblock %}</div>{% endblock %}",
    "t/viewed.html": '{% extends "t/layout.html" %}'
                     "{% block content %}<h1>{{ self.heading() }}</h1>{% endblock %}",
    "t/row.html": "{% block row %}<tr><td>{{ n }}</td></tr>{% endblock %}",
    "t/computed.html": '{% extends name %}{% block main %}x{% endblock %}',
}


@pytest.fixture
def templates(app, monkeypatch):
    loader = jinja2.ChoiceLoader([jinja2.DictLoader(TEMPLATES), app.jinja_loader])
    monkeypatch.setattr(app, "jinja_loader", loader)
    return app


def body(resp) -> str:
    return resp.get_data(as_text=True)


# --- render: page or fragment ------------------------------------------------------------

def test_a_fragment_carries_the_title_its_page_has(templates):
    with templates.test_request_context("/"):
        page = htmx.render("t/page.html", "content", n=7)
    with templates.test_request_context("/", headers=HX):
        fragment = htmx.render("t/page.html", "content", n=7)
    assert body(page) == ("<title>Own heading – Site</title>"
                          "<main><h1>Own heading</h1><div id=part>7</div></main>")
    assert body(fragment) == ("<title>Own heading – Site</title>"
                              "<h1>Own heading</h1><div id=part>7</div>")
    for resp in (page, fragment):
        assert resp.headers["Vary"] == "HX-Request"


def test_the_heading_defaults_to_the_view_s(templates):
    with templates.test_request_context("/", headers=HX):
        fragment = htmx.render("t/viewed.html", "content", heading="From <the> view",
                               status=422)
    assert fragment.status_code == 422
    assert body(fragment) == ("<title>From &lt;the&gt; view – Site</title>"
                              "<h1>From &lt;the&gt; view</h1>")


def test_a_part_of_a_page_comes_with_its_title_and_a_non_page_without(templates):
    with templates.test_request_context("/", headers=HX):
        part = htmx.render("t/page.html", "part", n=3)
        row = htmx.render("t/row.html", "row", n=3)
    assert body(part) == "<title>Own heading – Site</title>3"
    assert body(row) == "<tr><td>3</td></tr>"


def test_a_boosted_or_plain_request_gets_the_whole_page(templates):
    with templates.test_request_context("/", headers={**HX, "HX-Boosted": "true"}):
        assert body(htmx.render("t/row.html", "row", n=1)) == "<tr><td>1</td></tr>"
        assert body(htmx.render("t/page.html", "part", n=1)).startswith("<title>")
        assert "<main>" in body(htmx.render("t/page.html", "part", n=1))


def test_a_missing_block_or_a_computed_layout_is_a_clear_error(templates):
    with templates.test_request_context("/", headers=HX):
        with pytest.raises(LookupError, match="no block 'nope' in 't/page.html'"):
            htmx.render("t/page.html", "nope")
        with pytest.raises(TypeError, match="extend a layout named by a constant"):
            htmx.render("t/computed.html", "main", name="t/base.html")


# --- one helper for each header ----------------------------------------------------------

def test_is_htmx_only_for_htmx_requests_that_are_not_boosted(app):
    for headers, expected in (({}, False), (HX, True), ({"HX-Request": "false"}, False),
                              ({**HX, "HX-Boosted": "true"}, False)):
        with app.test_request_context("/", headers=headers):
            assert htmx.is_htmx() is expected, headers


@pytest.mark.parametrize("helper, argument, header", [
    (htmx.push_url, "/enroll/personal", "HX-Push-Url"),
    (htmx.retarget, "#decision", "HX-Retarget"),
    (htmx.reswap, "innerHTML", "HX-Reswap"),
])
def test_each_header_helper_sets_its_header_on_the_response(app, helper, argument, header):
    with app.test_request_context("/"):
        resp = make_response("x")
        assert helper(resp, argument) is resp
        assert resp.headers[header] == argument
        assert [name for name in resp.headers.keys() if name.startswith("HX-")] == [header]


def test_vary_on_htmx_keeps_what_varies_already(app):
    with app.test_request_context("/"):
        resp = make_response("x")
        resp.vary.add("Cookie")
        assert htmx.vary_on_htmx(resp) is resp
        assert set(resp.vary) == {"Cookie", "HX-Request"}


def test_advance_pushes_the_url_for_htmx_and_redirects_a_browser(app):
    rendered = []

    def render_next():
        rendered.append(1)
        return make_response("next step", 200)

    with app.test_request_context("/", method="POST", headers=HX):
        resp = htmx.advance("/enroll/insurance", render_next)
        assert (resp.status_code, body(resp)) == (200, "next step")
        assert resp.headers["HX-Push-Url"] == "/enroll/insurance"
    with app.test_request_context("/", method="POST"):
        resp = htmx.advance("/enroll/insurance", render_next)
        assert resp.status_code == 303 and resp.headers["Location"] == "/enroll/insurance"
        assert "HX-Push-Url" not in resp.headers
    assert rendered == [1]


def test_client_redirect_is_hx_redirect_for_htmx_and_303_for_a_browser(app):
    with app.test_request_context("/", headers=HX):
        resp = htmx.client_redirect("/login")
        assert (resp.status_code, resp.headers["HX-Redirect"], body(resp)) == (204, "/login", "")
        assert "HX-Request" in resp.vary
    with app.test_request_context("/"):
        resp = htmx.client_redirect("/login")
        assert resp.status_code == 303 and resp.headers["Location"] == "/login"
        assert "HX-Redirect" not in resp.headers


# --- nobody else writes an HX-* string -----------------------------------------------------

def app_sources():
    """The app's Python files: everything but tests/, bench/ and hidden folders."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in ("tests", "bench") or any(p.startswith(".") for p in parts):
            continue
        yield path


def hx_strings(path: Path) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
            for n, line in enumerate(path.read_text().splitlines(), 1)
            if HX_STRING.search(line)]


def test_no_module_but_htmx_py_writes_an_hx_string():
    sources = list(app_sources())
    assert ROOT / "app.py" in sources and ROOT / "admin/appointments/routes.py" in sources
    assert hx_strings(ROOT / "htmx.py"), "the check finds what htmx.py itself writes"
    strays = [hit for path in sources if path.name != "htmx.py" or path.parent != ROOT
              for hit in hx_strings(path)]
    assert strays == []
