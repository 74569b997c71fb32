"""Where a step's time goes, in the Flask test client, under cProfile.

    .venv/bin/python bench/profile_step.py [N] [--full]     (default N=300)

Three cases, N requests each, cookies kept as a browser keeps them:
  GET  /enroll/practice   a first visit (no draft yet), as the bench's step GET;
  GET  /enroll/practice   with a draft (a returning patient);
  POST /enroll/practice   valid, with a draft, as htmx: each post writes the draft and
                          answers the next step's fragment.
Prints CPU ms per request without the profiler, then, from the profile, the ms per request
and the share of the total of the parts that cost (they overlap: the templates include
their translations); --full adds the top functions.  SQLite in a temporary file, demo
practices, the human check off, the wizard's limits raised (one address)."""
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RELAXED = {"ENROLL_DRAFT_LIMIT": "1000000 per hour", "ENROLL_POST_LIMIT": "1000000 per hour"}
# (label, file suffix, function name): their cumulative time per request.
PARTS = [
    ("whole request (WSGI)", "app.py", "wsgi_app"),
    ("before_request hooks", "app.py", "preprocess_request"),
    ("  draft load (SELECT, decrypt)", "drafts.py", "load"),
    ("view", "app.py", "dispatch_request"),
    ("  reachability / stale-practice check", "wizard.py", "leave_stale_notices"),
    ("  form built (make_form)", "wizard.py", "make_form"),
    ("    practice list (query, or its kept copy)", ".py", "active_choices"),
    ("  templates rendered", "htmx.py", "render"),
    ("    translations in templates (_)", "ext.py", "_gettext_alias"),   # before
    ("    translations in templates (_)", "i18n.py", "template_gettext"),   # after
    ("    CSRF token made", "csrf.py", "generate_csrf"),
    ("  draft written (accept)", "wizard.py", "accept"),
    ("after_request hooks", "app.py", "process_response"),
    ("  session cookie saved", "sessions.py", "save_session"),
    ("  compression", "flask_compress.py", "after_request"),
    ("all SQL (Session.execute)", "session.py", "execute"),
]


def make_app():
    from app import create_app
    from enrollment.demo import seed
    from flask_migrate import upgrade
    tmp = tempfile.mkdtemp(prefix="portal-profile-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/p.db",
                      "SECRET_KEY": "p" * 40, "HUMAN_CHECK": False, **RELAXED})
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))   # as deployed
        seed()
    return app


def cases(app, n: int) -> dict:
    first = app.test_client()     # a first visit: GETs only
    returning = app.test_client()  # has a draft
    page = returning.get("/enroll/practice").get_data(as_text=True)
    token = TOKEN_RE.search(page).group(1)
    practice = re.search(r'<option value="(\d+)"', page).group(1)
    body = {"csrf_token": token, "practice": practice, "action": "next"}
    assert returning.post("/enroll/practice", data=body).status_code == 303

    def get_first():
        for _ in range(n):
            assert first.get("/enroll/practice").status_code == 200

    def get_draft():
        for _ in range(n):
            assert returning.get("/enroll/practice").status_code == 200

    def post():   # as htmx posts it (the bench's step POST): the next step's fragment
        for _ in range(n):
            assert returning.post("/enroll/practice", data=body,
                                  headers={"HX-Request": "true"}).status_code == 200

    return {"GET /enroll/practice, first visit": get_first,
            "GET /enroll/practice, with a draft": get_draft,
            "POST /enroll/practice, valid, htmx (writes the draft)": post}


def part_times(stats: pstats.Stats, n: int) -> list:
    """ms per request of each part; a label given twice (the code before and after a
    change) adds up what it names."""
    rows: dict = {}
    for label, suffix, func in PARTS:
        total = sum(v[3] for (path, _, name), v in stats.stats.items()
                    if name == func and path.endswith(suffix))
        rows[label] = rows.get(label, 0) + total * 1000 / n
    return list(rows.items())


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 300
    app = make_app()
    for name, run in cases(app, n).items():
        run()   # warm
        start = time.process_time()   # CPU time: other work on the machine hardly moves it
        run()
        ms = (time.process_time() - start) * 1000 / n
        prof = cProfile.Profile()
        prof.enable()
        run()
        prof.disable()
        stats = pstats.Stats(prof)
        rows = part_times(stats, n)
        whole = rows[0][1] or 1
        print(f"\n{name}: {ms:.2f} ms per request (CPU, test client, no profiler)")
        print(f"  {'part (profiled)':44} {'ms/req':>7} {'share':>6}")
        for label, value in rows:
            print(f"  {label:44} {value:7.2f} {100 * value / whole:5.0f}%")
        if "--full" in sys.argv:
            stats.strip_dirs().sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    os.environ.setdefault("PORTAL_ACCESS_LOG", "off")
    main()
