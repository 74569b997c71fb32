"""The foundation: security headers, static assets, compression, error pages and the
home page (migrations: test_migrations.py)."""
import gzip
from pathlib import Path

import brotli
import pytest

from extensions import db
from tests.conftest import csrf_token
from tests.pages import asset_urls, inline_code
from tests.wizard import GOOD, Patient

ROOT = Path(__file__).resolve().parent.parent
YEAR = "max-age=31536000"


# --- security headers and inline code ----------------------------------------------------

def _every_page(app, client, practices) -> list:
    """(label, response) for every kind of page and fragment the app serves."""
    seen = [("home", client.get("/")),
            ("home fragment", client.get("/", headers={"HX-Request": "true"})),
            ("404", client.get("/no-such-page")),
            ("405", client.put("/enroll/practice")),
            ("unknown step", client.get("/enroll/not-a-step"))]
    patient = Patient(client)
    patient.complete_through("security", practices["riverside-family"])
    for name in ("practice", "personal", "insurance", "credentials", "security", "review"):
        seen.append((name, client.get(f"/enroll/{name}")))
        seen.append((name + " fragment", client.get(f"/enroll/{name}",
                                                    headers={"HX-Request": "true"})))
        seen.append((name + " invalid", patient.post(f"/enroll/{name}", {
            "action": "next", "practice": "x", "email": "x", "username": "x", "terms": ""})))
    seen.append(("live check", patient.post("/enroll/check/password",
                                             {"username": "MariaD84", "password": "short"})))
    seen.append(("start over", client.get("/enroll/start-over")))
    patient.step("review", GOOD["review"], action="appointment")
    seen.append(("appointment", client.get("/enroll/appointment")))
    seen.append(("appointment invalid", patient.post("/enroll/appointment", {"reason": ""})))
    seen.append(("done", patient.post("/enroll/appointment", {"reason": "Check-up"})))
    seen.append(("done page", client.get("/enroll/done")))
    other = Patient(app.test_client())
    other.complete_through("personal", practices["hillcrest-internal"])
    other.client.delete_cookie("enroll_visit", path="/enroll")
    seen.append(("resume", other.get("/enroll/resume")))
    seen.append(("resume invalid", other.post("/enroll/resume", {"date_of_birth": "x"})))
    seen.append(("erased", other.post("/enroll/start-over", {})))
    return seen


def test_csp_is_strict_and_no_page_has_inline_code(app, client, practices):
    pages = _every_page(app, client, practices)
    assert len(pages) > 20
    for label, resp in pages:
        assert resp.status_code < 500, label
        csp = resp.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, label
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        if resp.mimetype == "text/html":
            assert inline_code(resp.get_data(as_text=True)) == [], label
    # htmx itself must not need eval or inject styles.
    home = dict(pages)["home"].get_data(as_text=True)
    assert '"allowEval":false' in home and '"includeIndicatorStyles":false' in home


def test_inline_code_detector_finds_what_it_should():
    bad = ('<div style="color:red" onclick="x()"><script>alert(1)</script>'
           '<a href="javascript:void(0)" hx-on:click="y()">a</a><style>p{}</style></div>')
    found = " ".join(inline_code(bad))
    for expected in ("style attribute", "onclick", "<script> without src", "javascript:",
                     "hx-on:click", "<style>"):
        assert expected in found
    assert inline_code('<script src="/static/js/x.js" defer></script>') == []


def test_hsts_only_in_production(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


# --- static assets ----------------------------------------------------------------------

def _assets(client) -> dict:
    urls = asset_urls(client.get("/").get_data(as_text=True))
    assert any(u.endswith(".css") for u in urls) and any(u.endswith(".js") for u in urls)
    files = {}
    for url in urls:
        stem, digest, ext = url.removeprefix("/static/").rsplit(".", 2)
        assert len(digest) >= 8 and all(c in "0123456789abcdef" for c in digest), url
        files[url] = (ROOT / "static" / f"{stem}.{ext}").read_bytes()
    return files


def test_fingerprinted_assets_are_cached_for_a_year(client):
    for url, content in _assets(client).items():
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert resp.data == content
        cache = resp.headers["Cache-Control"]
        assert YEAR in cache and "immutable" in cache
        assert "Content-Encoding" not in resp.headers
        assert "Accept-Encoding" in resp.headers["Vary"]
        assert resp.mimetype in ("text/css", "text/javascript", "application/javascript")
        again = client.get(url, headers={"If-None-Match": resp.headers["ETag"]})
        assert again.status_code == 304


@pytest.mark.parametrize("accept, encoding", [
    ("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br"), ("br;q=0, gzip", "gzip"),
    ("deflate", None)])
def test_assets_are_served_compressed_by_accept_encoding(client, accept, encoding):
    for url, content in _assets(client).items():
        resp = client.get(url, headers={"Accept-Encoding": accept})
        assert resp.status_code == 200
        assert resp.headers.get("Content-Encoding") == encoding, (url, accept)
        body = resp.data
        if encoding == "br":
            body = brotli.decompress(body)
        elif encoding == "gzip":
            body = gzip.decompress(body)
        assert body == content
        if encoding:
            assert len(resp.data) < len(content)
        assert YEAR in resp.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["/static/css/site.css", "/static/js/portal.js",
                                  "/static/css/site.0123456789.css", "/static/nope.css",
                                  "/static/../app.py", "/static/css/"])
def test_unknown_or_unfingerprinted_assets_are_404(client, path):
    resp = client.get(path)
    assert resp.status_code == 404
    assert "We could not find that page." in resp.get_data(as_text=True)


# --- compressed HTML --------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/enroll/practice"])
def test_html_is_compressed_brotli_first(client, path):
    plain = client.get(path)
    assert "Content-Encoding" not in plain.headers
    br = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in br.headers["Vary"]
    html = brotli.decompress(br.data).decode()
    assert "<html" in html and len(br.data) < len(plain.data)
    gz = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert "<html" in gzip.decompress(gz.data).decode()


def test_fragments_are_compressed_too(client, practices):
    resp = client.get("/enroll/practice", headers={"HX-Request": "true",
                                                   "Accept-Encoding": "br"})
    assert resp.headers["Content-Encoding"] == "br"
    assert "Step 1 of 6" in brotli.decompress(resp.data).decode()


# --- error pages and the home page ------------------------------------------------------

@pytest.mark.parametrize("htmx", [False, True])
def test_404_405_413_are_clear_pages_never_500(client, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    token = csrf_token(client.get("/enroll/practice").get_data(as_text=True))
    cases = [
        (client.get("/no-such-page", headers=headers), 404, "We could not find that page."),
        (client.put("/enroll/practice", headers=headers), 405,
         "That page cannot be used that way."),
        (client.delete("/enroll/done", headers=headers), 405,
         "That page cannot be used that way."),
        (client.post("/", headers=headers, data={"x": "y"}), 405,
         "That page cannot be used that way."),
        (client.post("/enroll/personal", headers=headers,
                     data={"first_name": "x" * (80 * 1024), "csrf_token": token}), 413,
         "That was more than this form accepts."),
        (client.post("/enroll/personal", headers=headers, content_type="multipart/form-data",
                     data={"csrf_token": token, "first_name": "y" * (80 * 1024)}), 413,
         "That was more than this form accepts."),
    ]
    for resp, code, message in cases:
        html = resp.get_data(as_text=True)
        assert resp.status_code == code, (code, html[:300])
        assert message in html
        assert ("<html" in html) is not htmx
        assert resp.headers["Cache-Control"] == "no-store"
        assert 'href="/enroll/"' in html       # a way back into the enrollment


SECRET_DETAIL = "boom: the ledger row 4711 for maria@example.org"


@pytest.fixture(scope="module")
def failing_app(app, tmp_path_factory):
    """An app of its own on the suite's database (the shared app has served requests: no
    new routes there) with one route that raises, and exceptions handled as in
    production, not propagated to the test client as TESTING would have them."""
    from app import create_app
    from tests.conftest import test_config
    failing = create_app({**test_config(tmp_path_factory), "PROPAGATE_EXCEPTIONS": False,
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @failing.route("/_fails", methods=["GET", "POST"])
    def fails():
        raise RuntimeError(SECRET_DETAIL)
    yield failing
    with failing.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unexpected_error_is_our_own_500_page_without_the_details(
        failing_app, caplog, htmx, method):
    client = failing_app.test_client()
    headers = {"HX-Request": "true"} if htmx else {}
    form = {}
    if method == "POST":   # a valid form post, CSRF token and all
        form["csrf_token"] = csrf_token(client.get("/enroll/practice").get_data(as_text=True))
    with caplog.at_level("ERROR"):
        resp = client.open("/_fails", method=method, headers=headers, data=form)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 500
    assert resp.mimetype == "text/html"
    assert "Something went wrong on our side. What you saved is safe" in html
    assert ("<html" in html) is not htmx
    assert resp.headers["Cache-Control"] == "no-store"
    assert 'href="/enroll/"' in html
    for leak in ("Traceback", "RuntimeError", "ledger", "4711", "maria@example.org",
                 "Internal Server Error"):
        assert leak not in html, leak
    # ... while the operator's log has it.
    assert any(r.exc_info and SECRET_DETAIL in str(r.exc_info[1]) for r in caplog.records)


def test_405_says_which_methods_are_allowed(client):
    resp = client.put("/enroll/practice")
    assert set(resp.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_home_page_welcomes_and_links_to_the_enrollment(client):
    resp = client.get("/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Sign up for a new account" in html
    assert 'href="/enroll/"' in html
    start = client.get("/enroll/")
    assert start.status_code == 303
    assert start.headers["Location"].endswith("/enroll/practice")


@pytest.mark.parametrize("htmx", [False, True])
def test_error_answers_are_compressed_too(app, client, practices, htmx):
    """A 404 page, a step's 422 (page and htmx fragment), a 400: compressed like a 200
    (Flask-Compress alone sends these as they are), from COMPRESS_MIN_SIZE bytes on."""
    headers = {"Accept-Encoding": "gzip, br", **({"HX-Request": "true"} if htmx else {})}
    token = csrf_token(client.get("/enroll/practice").get_data(as_text=True))
    answers = [client.get("/nowhere", headers=headers),
               client.post("/enroll/practice", data={"csrf_token": token, "action": "next"},
                           headers=headers),
               client.post("/login", headers=headers)]
    for resp, status in zip(answers, (404, 422, 400)):
        assert resp.status_code == status
        if "Content-Encoding" not in resp.headers:   # htmx's 404: a sentence, 280 bytes
            assert len(resp.data) < app.config["COMPRESS_MIN_SIZE"] and htmx, status
            continue
        assert resp.headers["Content-Encoding"] == "br", status
        assert "Accept-Encoding" in resp.headers["Vary"]
        html = brotli.decompress(resp.data).decode()
        assert "<title>Error: " in html and int(resp.headers["Content-Length"]) == len(resp.data)
