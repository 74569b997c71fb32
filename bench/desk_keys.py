"""How much work the front desk's routine costs, counted in a real browser (Chromium).

`python bench/desk_keys.py` serves the app (its own SQLite file, 30 pending requests
of which every third waits for its email confirmation, one staff member with the second
factor), then signs in and approves the five newest confirmed requests, two ways:

* keyboard only: Tab until the element wanted has the focus (each Tab counted), typing
  (one key a character), Enter;
* from the queue with the mouse: a click per field, per button, per approval;
* keyboard only through each request's page (open it, approve, go on to the next).

It also counts the queue's rows wholly in a 1366 x 657 viewport and says whether the
request page's Approve button is in view there without scrolling.  Prints JSON.
"""
import json
import sys
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "quiet harbour lantern 42"
EMAIL = "desk@riverside.example"
VIEWPORT = {"width": 1366, "height": 657}
APPROVALS = 5


class Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def serve(tmp: str):
    import sqlalchemy as sa
    from werkzeug.serving import make_server

    from admin.staff import accounts
    from app import create_app
    from auth.hashing import hash_secret
    from database import write_transaction
    from enrollment.demo import seed
    from enrollment.models import EnrollmentRequest, PatientAccount, Practice, utcnow
    from extensions import db
    from flask_migrate import upgrade
    from tests.admin.mfa_helpers import with_second_factor
    from tests.conftest import CHEAP_ARGON2, RELAXED_LIMITS

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/desk.db",
                      "SECRET_KEY": "d" * 40, "SERVER_NAME": None, "HUMAN_CHECK": False,
                      **CHEAP_ARGON2, **RELAXED_LIMITS})
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))   # as deployed
        seed()
        practice = db.session.execute(sa.select(Practice).where(
            Practice.slug == "riverside-family")).scalar_one()
        now = utcnow()
        with write_transaction():
            for n in range(30):
                account = PatientAccount(practice_id=practice.id, username=f"desk{n}",
                                         password_hash=hash_secret("x" * 16))
                req = EnrollmentRequest(
                    practice_id=practice.id, account=account, first_name="Rosa",
                    last_name=f"Quintero{n}", street="1 Main St", city="Springfield",
                    state="IL", zip_code="62701", phone="+12175550100",
                    date_of_birth=date(1970, 1, 2), email=f"rosa{n}@example.org",
                    terms_version="t", terms_accepted_at=now, email_consent_at=now,
                    created_at=now - timedelta(minutes=n))
                if n % 3 != 2:
                    req.email_confirmed_at = now
                    req.email_confirmed_hash = req.email_hash
                db.session.add_all([account, req])
        accounts.create(EMAIL, "riverside-family", PASSWORD)
    secret = with_second_factor(app, EMAIL)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server, secret


class Counter:
    def __init__(self, page):
        self.page, self.keys, self.clicks = page, 0, 0

    def focused(self, js: str) -> bool:
        from playwright.sync_api import Error
        script = f"() => {{ const e = document.activeElement; return !!e && ({js}); }}"
        for _ in range(20):
            try:
                return self.page.evaluate(script)
            except Error:   # a navigation under way: its page first
                self.page.wait_for_load_state()
        raise AssertionError("the page never settled")

    def tab_to(self, js: str, limit: int = 300) -> None:
        for _ in range(limit):
            if self.focused(js):
                return
            self.page.keyboard.press("Tab")
            self.keys += 1
        raise AssertionError(f"never focused: {js}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.keys += len(text)

    def enter(self) -> None:
        self.page.keyboard.press("Enter")
        self.keys += 1

    def follow(self) -> None:
        """Enter on a link: the next page loaded."""
        with self.page.expect_navigation():
            self.enter()

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1


APPROVE_BUTTON = "e.tagName === 'BUTTON' && e.textContent.trim().startsWith('Approve')"


def sign_in_keys(c: Counter, secret: str) -> None:
    import pyotp
    c.page.goto("/admin/login")
    c.tab_to("e.name === 'email'")
    c.type(EMAIL)
    c.tab_to("e.name === 'password'")
    c.type(PASSWORD)
    c.enter()
    c.page.wait_for_url("**/login/code*")
    c.tab_to("e.name === 'code'")
    c.type(pyotp.TOTP(secret).now())
    c.enter()
    c.page.wait_for_url("**/admin/")


def sign_in_mouse(c: Counter, secret: str) -> None:
    import pyotp
    page = c.page
    page.goto("/admin/login")
    c.click(page.get_by_label("Email address"))
    c.type(EMAIL)
    c.click(page.get_by_label("Password"))
    c.type(PASSWORD)
    c.click(page.get_by_role("button", name="Sign in"))
    page.wait_for_url("**/login/code*")
    if not c.focused("e.name === 'code'"):
        c.click(page.get_by_label("Code from your authenticator app"))
    c.type(pyotp.TOTP(secret).now())
    c.click(page.get_by_role("button", name="Sign in"))
    page.wait_for_url("**/admin/")


def approve_from_queue_keys(c: Counter) -> None:
    for _ in range(APPROVALS):
        c.tab_to(APPROVE_BUTTON)
        with c.page.expect_response("**/approve"):
            c.enter()
        c.page.wait_for_timeout(150)   # the swap, and focus moved (htmx settles)


def approve_from_queue_mouse(c: Counter) -> None:
    for _ in range(APPROVALS):
        with c.page.expect_response("**/approve"):
            c.click(c.page.locator("button", has_text="Approve").first)
        c.page.wait_for_timeout(150)


FIRST_CONFIRMED_ROW = ("e.tagName === 'A' && /\\/admin\\/requests\\/\\d+$/.test(e.href) && "
                       "!!e.closest('tr') && [...e.closest('tr').querySelectorAll('button')]"
                       ".some(b => b.textContent.trim().startsWith('Approve'))")


def approve_through_pages_keys(c: Counter) -> None:
    c.tab_to(FIRST_CONFIRMED_ROW)
    c.follow()
    n = 0
    while n < APPROVALS:
        if not c.page.locator("button", has_text="Approve").count():   # not confirmed
            if c.page.get_by_role("link", name="Skip to the next pending request").count():
                c.tab_to("e.textContent.trim() === 'Skip to the next pending request'")
                c.follow()
            else:
                c.tab_to("e.textContent.trim() === 'Back to the requests'")
                c.follow()
                c.tab_to(FIRST_CONFIRMED_ROW)
                c.follow()
            continue
        c.tab_to(APPROVE_BUTTON)
        with c.page.expect_response("**/approve"):
            c.enter()
        c.page.wait_for_timeout(150)
        n += 1
        if n == APPROVALS:
            return
        if c.page.get_by_role("link", name="Next pending request").count():
            c.tab_to("e.textContent.trim() === 'Next pending request'")
            c.follow()
            continue
        c.tab_to("e.textContent.trim() === 'Back to the requests'")
        c.follow()
        c.tab_to(FIRST_CONFIRMED_ROW)
        c.follow()


def rows_in_view(page) -> dict:
    page.goto("/admin/")
    rows = page.evaluate("""() => [...document.querySelectorAll('table.requests tbody tr')]
        .filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length""")
    wrapped = page.evaluate("""() => [...document.querySelectorAll('table.requests tbody tr')]
        .some(r => { const range = document.createRange();
                     range.selectNodeContents(r.querySelector('td:nth-child(3)'));
                     const tops = new Set([...range.getClientRects()].map(x => x.top));
                     return tops.size > 1; })""")
    page.locator("table.requests tbody tr:has(button:has-text('Approve')) a").first.click()
    page.wait_for_url("**/admin/requests/*")
    approve = page.locator("button", has_text="Approve").first
    box = approve.bounding_box()
    return {"queue_rows_in_view": rows, "received_date_wraps": wrapped,
            "approve_in_view_on_request_page": bool(box) and
            box["y"] + box["height"] <= VIEWPORT["height"]}


def main() -> None:
    from playwright.sync_api import sync_playwright
    results = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
        for name, sign_in, approve in (
                ("keyboard, from the queue", sign_in_keys, approve_from_queue_keys),
                ("mouse, from the queue", sign_in_mouse, approve_from_queue_mouse),
                ("keyboard, through each request's page", sign_in_keys,
                 approve_through_pages_keys)):
            app, server, secret = serve(tempfile.mkdtemp(dir=tmp))
            context = browser.new_context(base_url=f"http://127.0.0.1:{server.server_port}",
                                          viewport=VIEWPORT)
            context.set_default_timeout(15_000)
            page = context.new_page()
            c = Counter(page)
            sign_in(c, secret)
            signed = (c.keys, c.clicks)
            approve(c)
            results[name] = {"sign_in_keys": signed[0], "sign_in_clicks": signed[1],
                             "approve_keys": c.keys - signed[0],
                             "approve_clicks": c.clicks - signed[1],
                             "total_keys": c.keys, "total_clicks": c.clicks}
            if name.startswith("mouse"):
                results["layout at 1366 x 657"] = rows_in_view(page)
            context.close()
            server.shutdown()
        browser.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
