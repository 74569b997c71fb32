"""The real browser: Debian's Chromium driven by Playwright (sync API), started once per
run; the app served by a real WSGI server on a free loopback port with its own SQLite
database.  Every test gets a fresh browser context (cookies, storage, history).

Never `playwright install`: the browser is the system's /usr/bin/chromium.
"""
import os
import threading
import traceback
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app
from extensions import db
from tests.conftest import CHEAP_ARGON2, RELAXED_LIMITS

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TIMEOUT_MS = 10_000
# "I'm not a robot" stays ON, as in production, but cheap: a small proof of work for the
# browser with JavaScript, and a short minimum age for the no-JavaScript fallback.
ROBOT_CHECK = {"HUMAN_CHECK": True, "HUMAN_CHECK_COST": 100,
               "HUMAN_CHECK_FALLBACK_MIN_SECONDS": 1}
ROBOT_FALLBACK_WAIT_MS = 1_100


@pytest.fixture(autouse=True)
def clean_tables():
    """Neutralises the suite's table cleaning: the e2e server has its own database, and
    each test enrolls a patient of its own (distinct usernames)."""
    yield


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@dataclass
class LiveServer:
    url: str
    app: object
    errors: list = field(default_factory=list)

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"


def _recording(wsgi_app, errors: list):
    """Remember every exception a request raised (the browser would only see a 500)."""
    def wrapped(environ, start_response):
        try:
            return wsgi_app(environ, start_response)
        except BaseException as exc:
            errors.append(f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}: "
                          + "".join(traceback.format_exception(exc)))
            raise
    return wrapped


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from enrollment.demo import seed

    path = tmp_path_factory.mktemp("e2e") / "e2e.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SECRET_KEY": "e" * 40, "SERVER_NAME": None, **CHEAP_ARGON2,
                      **RELAXED_LIMITS, **ROBOT_CHECK})
    assert app.config.get("WTF_CSRF_ENABLED", True), "CSRF stays on in the browser tests"
    with app.app_context():
        db.create_all()   # tests only; the app itself migrates
        seed()
    errors: list = []
    app.wsgi_app = _recording(app.wsgi_app, errors)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, errors)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium "
                    "(never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# Reports Content-Security-Policy violations to Python; Playwright injects init scripts
# outside the page's CSP, so the page itself still needs no inline script.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__e2eCsp(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


class Watch:
    """Everything the browser did that a test may want to assert about."""

    def __init__(self, origin: str):
        self.origin = origin
        self.requests: list = []
        self.console_errors: list = []
        self.page_errors: list = []
        self.csp_violations: list = []
        self.server_failures: list = []

    def attach(self, context) -> None:
        context.on("request", self._request)
        context.on("console", self._console)
        context.on("response", self._response)
        context.on("weberror", lambda err: self.page_errors.append(str(err.error)))

    def _request(self, request) -> None:
        self.requests.append(request)

    def _response(self, response) -> None:
        if response.status >= 500:
            self.server_failures.append(f"{response.status} {response.url}")

    def _csp(self, report: str) -> None:
        self.csp_violations.append(report)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.console_errors.append(f"{msg.text} @ {msg.location.get('url', '')}")

    def foreign_requests(self) -> list:
        return [r.url for r in self.requests if not r.url.startswith(self.origin + "/")]

    def posts(self, path: str) -> list:
        return [r for r in self.requests
                if r.method == "POST" and urlsplit(r.url).path == path]

    def unexpected_console_errors(self, statuses=(422,)) -> list:
        """Console errors, without Chromium's note on each answer with an expected
        status (an invalid step is a 422 by design)."""
        expected = tuple(f"the server responded with a status of {code} " for code in statuses)
        return [m for m in self.console_errors if not any(e in m for e in expected)]

    def assert_clean(self, statuses=(422,)) -> None:
        assert self.foreign_requests() == [], "requests to another origin"
        assert self.server_failures == [], "server errors"
        assert self.unexpected_console_errors(statuses) == [], "console errors"
        assert self.page_errors == [], "uncaught page errors"
        assert self.csp_violations == [], "Content-Security-Policy violations"


def _context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    watch = Watch(live_server.origin)
    watch.attach(context)
    if options.get("java_script_enabled", True):
        context.expose_function("__e2eCsp", watch._csp)
        context.add_init_script(CSP_REPORTER)
    return context, watch


@pytest.fixture
def server_errors(live_server):
    """No request may end in an unhandled exception during a browser test."""
    start = len(live_server.errors)
    yield
    raised = live_server.errors[start:]
    assert not raised, "the server raised:\n" + "\n".join(raised)


@pytest.fixture
def js_page(browser, live_server, server_errors):
    context, watch = _context(browser, live_server)
    page = context.new_page()
    page.watch = watch
    yield page
    context.close()


@pytest.fixture
def nojs_page(browser, live_server, server_errors):
    context, watch = _context(browser, live_server, java_script_enabled=False)
    page = context.new_page()
    page.watch = watch
    yield page
    context.close()
