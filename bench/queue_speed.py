"""`make bench` (after bench/run.py): does the staff queue stay fast at 100 000 requests?

For each database (SQLite in a temporary file; PostgreSQL in a database `queue_bench`
it creates and drops, when 127.0.0.1:5432 answers) and each size (100 and 100 000
requests over four practices, bench/queue_data.py), the schema is built by
`flask db upgrade`, the table filled in bulk, and a staff member of the largest practice
signed in through the real sign-in form.  Each case is an HTTP request through the test
client (the whole path: session check, queries, templates; searches as htmx posts,
the JavaScript path), repeated QUEUE_BENCH_REPS times after a warm-up, in a fresh
process per size.  Printed as a table and written to bench/results/queue.json.

The goal: at 100 000 rows each case within 3x its own time at 100 rows, and under
50 ms at the 95th percentile.  Nothing here asserts it; the table says yes or no.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)   # else this file would shadow the standard library's `queue`
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
REPS = int(os.environ.get("QUEUE_BENCH_REPS", "200"))
# Two sizes, the small first: QUEUE_BENCH_SIZES=100,2000 for a quick check.
SIZES = tuple(int(n) for n in os.environ.get("QUEUE_BENCH_SIZES", "100,100000").split(","))
PG_SERVER = os.environ.get("QUEUE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("QUEUE_BENCH_PG_DB", "queue_bench")   # created and dropped
PASSWORD = "quiet harbour lantern 42"
EMAIL = "bench@riverside.example"
PRACTICES = (("lakeside-clinic", "Lakeside Clinic"), ("northgate-health", "Northgate Health"))
GOAL_RATIO, GOAL_P95_MS = 3.0, 50.0
AUDITED = "audit rows written"
HX = {"HX-Request": "true"}


def flask(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env,
                   check=True, capture_output=True)


def prepare(url: str) -> dict:
    """Migrate, then four practices (two demo, two more) and one staff member."""
    env = {**os.environ, "DATABASE_URL": url, "HUMAN_CHECK": "off", "SECRET_KEY": "q" * 40,
           "PORTAL_STAFF_PASSWORD": PASSWORD}
    flask(env, "db", "upgrade", "heads")   # "heads": one head or several
    flask(env, "seed-demo")
    for slug, name in PRACTICES:
        flask(env, "practice", "create", slug, "--name", name, "--phone", "+13125550100",
              "--email", f"office@{slug}.example", "--timezone", "America/Chicago")
    flask(env, "staff", "create", EMAIL, "--practice", "riverside-family")
    return env


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(app):
    """Password, then the second factor: enrolled on its page (the key read off it, the
    code made with pyotp), and "I have saved them"."""
    import pyotp
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    resp = client.post("/admin/login", data={"csrf_token": token(page), "email": EMAIL,
                                              "password": PASSWORD})
    assert resp.status_code == 303, resp.status_code
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    key = re.search(r'<code id="totp-key">([A-Z2-7 ]+)</code>', page).group(1)
    resp = client.post("/admin/login/enroll", data={
        "csrf_token": token(page), "code": pyotp.TOTP(key.replace(" ", "")).now()})
    assert resp.status_code == 303, resp.status_code
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    resp = client.post("/admin/login/recovery-codes", data={"csrf_token": token(page)})
    assert resp.status_code == 303, resp.status_code
    return client, token(client.get("/admin/").get_data(as_text=True))


def cases(app, practice_id: int, csrf: str) -> dict:
    """What staff do, with search terms taken from the first rows (present at both
    sizes): name, email and username from their start, date of birth exact."""
    import sqlalchemy as sa

    from enrollment.emails import display_phone
    from enrollment.models import EnrollmentRequest as R
    from extensions import db
    with app.app_context():
        probe = db.session.execute(sa.select(R).where(R.practice_id == practice_id,
                                                      R.account_id.is_not(None))
                                   .order_by(R.id).limit(1)).scalar_one()
        pending = db.session.execute(sa.select(sa.func.count()).select_from(R).where(
            R.practice_id == practice_id, R.status == "pending")).scalar_one()
        size = app.config["ADMIN_PAGE_SIZE"]
        last_page = max(1, -(-pending // size))
        terms = {"name": probe.last_name[:3], "email": probe.email[:4],
                 "folded": probe.last_name.upper(),
                 "two words": f"{probe.first_name.lower()} {probe.last_name.lower()}",
                 "phone": display_phone(probe.phone),
                 "username": probe.account.username[:3],
                 "dob": probe.date_of_birth.isoformat(), "whole email": probe.email,
                 "whole username": probe.account.username}
        probe_id = probe.id

    def search(by, key=None):   # with JavaScript: an htmx post, the results fragment
        return ("POST", "/admin/search", {"csrf_token": csrf, "by": by,
                                          "q": terms[key or by]}, HX)
    return {
        "queue page 1 (pending)": ("GET", "/admin/?status=pending", None, {}),
        f"queue last page ({last_page})": ("GET", f"/admin/?status=pending&page={last_page}",
                                           None, {}),
        "filter: approved": ("GET", "/admin/?status=approved", None, {}),
        "filter: rejected": ("GET", "/admin/?status=rejected", None, {}),
        "search name, 3 letters": search("name"),
        "search name, one word (folded)": search("name", "folded"),
        "search name, first and last": search("name", "two words"),
        "search phone, as typed": search("phone"),
        "search email, 4 letters": search("email"),
        "search email, whole address": search("email", "whole email"),
        "search username, 3 letters": search("username"),
        "search username, whole": search("username", "whole username"),
        "search date of birth": search("dob"),
        "detail with duplicates": ("GET", f"/admin/requests/{probe_id}", None, {}),
    }


def measure(client, method: str, path: str, data, headers) -> dict:
    def once() -> float:
        start = time.perf_counter()
        resp = client.open(path, method=method, data=data, headers=headers)
        elapsed = (time.perf_counter() - start) * 1000
        assert resp.status_code == 200, (path, resp.status_code)
        return elapsed
    for _ in range(max(5, REPS // 10)):
        once()
    times = sorted(once() for _ in range(REPS))
    return {"p50": round(statistics.median(times), 2),
            "p95": round(times[int(0.95 * (len(times) - 1))], 2)}


def child(mode: str, url: str, n: int) -> None:
    """In a fresh process (what filling leaves in memory must not weigh on the
    measurements): fill the table, or sign in and measure; JSON on the last line."""
    os.environ.update({"DATABASE_URL": url, "HUMAN_CHECK": "off", "SECRET_KEY": "q" * 40})
    import sqlalchemy as sa

    from app import create_app
    from bench.queue_data import fill
    from enrollment.models import Practice
    from extensions import db
    app = create_app({"RATELIMIT_ENABLED": False})
    if mode == "fill":
        with app.app_context():
            started = time.perf_counter()
            fill(n)
            print(json.dumps({"seconds": round(time.perf_counter() - started, 1)}))
        return
    with app.app_context():
        practice_id = db.session.execute(sa.select(Practice.id).where(
            Practice.slug == "riverside-family")).scalar_one()
    client, csrf = sign_in(app)
    measured = {name: measure(client, *case)
                for name, case in cases(app, practice_id, csrf).items()}
    with app.app_context():   # every page view above wrote its audit row
        from audit import AuditEvent
        measured[AUDITED] = db.session.execute(
            sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
    print(json.dumps(measured))


def in_child(env: dict, *args) -> dict:
    done = subprocess.run([sys.executable, __file__, *map(str, args)], cwd=ROOT, env=env,
                          check=False, capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_size(url: str, n: int) -> dict:
    """Fresh schema, n requests, then every case; the case names carry the terms."""
    env = prepare(url)
    filled = in_child(env, "fill", url, n)["seconds"]
    print(f"  {n:>7} rows filled in {filled:.1f} s", flush=True)
    measured = in_child(env, "measure", url, n)
    print(f"  {measured.pop(AUDITED)} audit rows written while measuring", flush=True)
    return measured


def _generic(name: str) -> str:
    """Case names without the size-specific page number, to pair 100 with 100 000."""
    return re.sub(r"\(\d+\)", "(n)", name) if name.startswith("queue last") else name


def compare(small: dict, large: dict) -> list:
    """Each case at the larger size against the smaller (named 100 and 100000)."""
    small = {_generic(k): v for k, v in small.items()}
    rows = []
    for name, big in large.items():
        base = small[_generic(name)]
        r50 = round(big["p50"] / base["p50"], 2)
        r95 = round(big["p95"] / base["p95"], 2)
        ok = r50 <= GOAL_RATIO and r95 <= GOAL_RATIO and big["p95"] < GOAL_P95_MS
        rows.append({"case": name, "100": base, "100000": big, "ratio_p50": r50,
                     "ratio_p95": r95, "meets_goal": ok})
    return rows


def pg_admin(sql: str) -> None:
    import psycopg
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True,
                         connect_timeout=3) as conn:
        conn.execute(sql)


def pg_reachable() -> bool:
    try:
        pg_admin("SELECT 1")
        return True
    except Exception as exc:   # noqa: BLE001  (any failure: no PostgreSQL here)
        print(f"PostgreSQL: {exc}")
        return False


def backend(name: str, url_for_size) -> list:
    print(f"{name}:", flush=True)
    by_size = {n: run_size(url_for_size(n), n) for n in SIZES}
    return compare(by_size[SIZES[0]], by_size[SIZES[1]])


def sqlite_url(tmp: str):
    return lambda n: f"sqlite:///{tmp}/queue-{n}.db"


def pg_url(n: int) -> str:
    pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {PG_DB}")
    return f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{PG_DB}"


def table(name: str, rows: list) -> None:
    print(f"\n{name}  (ms; p50 / p95; ratio = 100 000 rows / 100 rows)")
    print(f"{'case':34} {'100 rows':>15} {'100 000 rows':>15} {'ratio p50':>9} "
          f"{'ratio p95':>9}  goal")
    for r in rows:
        small, big = r["100"], r["100000"]
        print(f"{r['case'][:34]:34} {small['p50']:>7.2f}/{small['p95']:<7.2f} "
              f"{big['p50']:>7.2f}/{big['p95']:<7.2f} {r['ratio_p50']:>9.2f} "
              f"{r['ratio_p95']:>9.2f}  {'yes' if r['meets_goal'] else 'NO'}")


def main() -> None:
    results = {"reps": REPS, "cpus": os.cpu_count(), "load_average_at_start":
               os.getloadavg()[0], "goal": {"ratio_max": GOAL_RATIO,
                                            "p95_ms_max": GOAL_P95_MS}}
    with tempfile.TemporaryDirectory(prefix="queue-bench-") as tmp:
        results["sqlite"] = backend("SQLite", sqlite_url(tmp))
    if pg_reachable():
        try:
            results["postgresql"] = backend("PostgreSQL", pg_url)
        finally:
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    else:
        print(f"PostgreSQL skipped: nothing reachable at {PG_SERVER}")
    for name in ("sqlite", "postgresql"):
        if name in results:
            table(name, results[name])
    results["load_average_at_end"] = os.getloadavg()[0]
    print(f"\nload average (1 min) at start {results['load_average_at_start']:.2f}, "
          f"at end {results['load_average_at_end']:.2f}, on {os.cpu_count()} CPUs")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "queue.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    if len(sys.argv) == 4:
        child(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    else:
        main()
