"""`make bench` (last): a load run with locust through a real nginx in front of two
gunicorn app servers (deploy/cluster.py, the same cluster as the load-balanced test), on
PostgreSQL (a database `load_bench`, created and dropped) and Redis (LOAD_REDIS_DB,
default 14, flushed before and after).

32 simulated patients do whole enrollments (htmx, a new draft each time) while 4 staff
members, each with an account of their own, list and search a queue of 100 000 requests
(bench/queue_data.py).  For the load run the human check is off and the per-address
limits are raised, through the environment (every simulated person comes from
127.0.0.1).  Printed per step: requests per second, p50 and p95 latency, errors (goal 0),
bytes per response (decoded, and compressed as sent); then the memory (RSS) of every
gunicorn worker.  Results: bench/results/load.json and load_*.csv (locust's own).

Settings: LOAD_SECONDS (60), LOAD_PATIENTS (32), LOAD_STAFF (4), LOAD_WORKERS (gunicorn
workers per server, 2), LOAD_ROWS (100 000).  Nothing here asserts a threshold.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import queue_speed  # noqa: E402  (also keeps bench/ off the front of sys.path)
from deploy.cluster import BIN, Cluster, nginx_binary, rss_kib, run_flask  # noqa: E402

DB = "load_bench"
REDIS_DB = int(os.environ.get("LOAD_REDIS_DB", "14"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
PATIENTS = int(os.environ.get("LOAD_PATIENTS", "32"))
STAFF = int(os.environ.get("LOAD_STAFF", "4"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "2"))
ROWS = int(os.environ.get("LOAD_ROWS", "100000"))
RAISED = {**{name: "1000000 per hour" for name in (
    "PATIENT_LOGIN_LIMIT", "PATIENT_RECOVERY_LIMIT", "STAFF_LOGIN_LIMIT",
    "STAFF_FORGOT_LIMIT", "HUMAN_CHECK_FALLBACK_LIMIT", "ENROLL_DRAFT_LIMIT",
    "ENROLL_POST_LIMIT", "LIVE_CHECK_LIMIT", "SUBMIT_LIMIT", "CONFIRM_RESEND_LIMIT")},
    "PRACTICE_SUBMISSIONS_PER_HOUR": "1000000", "LIVE_CHECKS_PER_DRAFT": "1000000"}
OUT = ROOT / "bench" / "results"
LOAD_AT_START = 0.0


def missing() -> list[str]:
    import redis
    problems = [] if nginx_binary() else ["nginx (apt-get install nginx-light)"]
    try:
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_timeout=3).flushdb()
    except redis.RedisError as exc:
        problems.append(f"Redis on 127.0.0.1:6379 ({exc})")
    if not queue_speed.pg_reachable():
        problems.append(f"PostgreSQL at {queue_speed.PG_SERVER}")
    return problems


def prepare() -> tuple[dict, list[str], int]:
    """The database: migrated, practices, STAFF staff members, ROWS requests."""
    queue_speed.pg_admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    queue_speed.pg_admin(f"CREATE DATABASE {DB}")
    url = f"{queue_speed.PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{DB}"
    env = queue_speed.prepare(url)          # migrate, 4 practices, one staff member
    emails = [queue_speed.EMAIL] + [f"staff{i}@riverside.example" for i in range(2, STAFF + 1)]
    for email in emails[1:]:
        run_flask(env, "staff", "create", email, "--practice", "riverside-family")
    seconds = queue_speed.in_child(env, "fill", url, ROWS)["seconds"]
    print(f"{ROWS} requests filled in {seconds:.1f} s", flush=True)
    import psycopg
    with psycopg.connect(f"{queue_speed.PG_SERVER}/{DB}") as conn:
        practice, pending = conn.execute(
            "SELECT p.id, count(*) FROM practice p JOIN enrollment_request r ON "
            "r.practice_id = p.id AND r.status = 'pending' WHERE p.slug = "
            "'riverside-family' GROUP BY p.id").fetchone()
    env.update(RAISED, HUMAN_CHECK="off",
               RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:6379/{REDIS_DB}")
    locust_env = {"LOAD_PRACTICE_ID": str(practice), "LOAD_STAFF_EMAILS": ",".join(emails),
                  "LOAD_STAFF_PASSWORD": queue_speed.PASSWORD, "LOAD_PATIENTS": str(PATIENTS),
                  "LOAD_STAFF": str(STAFF), "LOAD_LAST_PAGE": str(max(2, pending // 25))}
    return env, locust_env, pending


class Memory(threading.Thread):
    """RSS of every gunicorn worker, sampled each second: peak and last, in KiB."""

    def __init__(self, cluster: Cluster):
        super().__init__(daemon=True)
        self.cluster, self.done = cluster, threading.Event()
        self.peak, self.last = {}, {}

    def run(self):
        while not self.done.wait(1.0):
            for server in self.cluster.servers:
                for pid in server.worker_pids():
                    try:
                        kib = rss_kib(pid)
                    except OSError:      # a worker renewed meanwhile
                        continue
                    key = (server.name, pid)
                    self.last[key] = kib
                    self.peak[key] = max(kib, self.peak.get(key, 0))


def run_locust(cluster: Cluster, locust_env: dict) -> None:
    env = {**os.environ, **locust_env, "LOAD_WIRE_FILE": str(OUT / "load_wire.json")}
    argv = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
            "-u", str(PATIENTS + STAFF), "-r", "12", "-t", f"{SECONDS}s",
            "--host", cluster.proxy_url, "--csv", str(OUT / "load"), "--only-summary",
            "--stop-timeout", "30", "--loglevel", "WARNING"]
    with open(OUT / "locust.log", "w") as log:
        subprocess.run(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                       check=False)


def read_steps() -> list[dict]:
    wire = json.loads((OUT / "load_wire.json").read_text())
    steps = []
    with open(OUT / "load_stats.csv") as f:
        for row in csv.DictReader(f):
            steps.append({"step": row["Name"], "requests": int(row["Request Count"]),
                          "rps": round(float(row["Requests/s"]), 1),
                          "p50_ms": int(float(row["50%"])), "p95_ms": int(float(row["95%"])),
                          "errors": int(row["Failure Count"]),
                          "bytes_decoded": int(float(row["Average Content Size"])),
                          "bytes_wire": wire.get(row["Name"])})
    return steps


def report(steps: list[dict], memory: Memory, pending: int) -> dict:
    print(f"\n{PATIENTS} patients + {STAFF} staff, {SECONDS} s, through nginx on 2 servers x "
          f"{WORKERS} gunicorn workers; queue: {ROWS} requests ({pending} pending at the "
          f"practice); CPUs: {os.cpu_count()} (shared with locust, nginx, PostgreSQL); "
          f"load average (1 min) at start {LOAD_AT_START:.2f}, at end {os.getloadavg()[0]:.2f}")
    print(f"{'step':36} {'reqs':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} "
          f"{'bytes':>7} {'wire B':>7}")
    for s in steps:
        print(f"{s['step'][:36]:36} {s['requests']:>6} {s['rps']:>7.1f} {s['p50_ms']:>7} "
              f"{s['p95_ms']:>7} {s['errors']:>6} {s['bytes_decoded']:>7} "
              f"{s['bytes_wire'] if s['bytes_wire'] is not None else '-':>7}")
    workers = [{"server": name, "pid": pid, "rss_mib": round(memory.last[(name, pid)] / 1024, 1),
                "peak_mib": round(memory.peak[(name, pid)] / 1024, 1)}
               for (name, pid) in sorted(memory.last)]
    print("\nmemory per gunicorn worker (RSS, MiB, at the end / peak):")
    for w in workers:
        print(f"  {w['server']} worker {w['pid']}: {w['rss_mib']} / {w['peak_mib']}")
    return {"seconds": SECONDS, "patients": PATIENTS, "staff": STAFF, "workers": WORKERS,
            "rows": ROWS, "pending": pending, "raised_limits": RAISED, "captcha": "off",
            "steps": steps, "memory": workers,
            "load_average": {"start": LOAD_AT_START, "end": os.getloadavg()[0]}}


def markdown(results: dict) -> str:
    """The README's table, from a run's results."""
    rows = ["| step | requests | req/s | p50 ms | p95 ms | errors | bytes (decoded) | "
            "bytes (compressed, as sent) |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for s in results["steps"]:
        name = "**all**" if s["step"] == "Aggregated" else s["step"]
        wire = "-" if s["bytes_wire"] is None else s["bytes_wire"]
        rows.append(f"| {name} | {s['requests']} | {s['rps']} | {s['p50_ms']} | "
                    f"{s['p95_ms']} | {s['errors']} | {s['bytes_decoded']} | {wire} |")
    return "\n".join(rows)


def main() -> int:
    global LOAD_AT_START
    problems = missing()
    if problems:
        print("load run skipped: it needs " + ", ".join(problems))
        return 0
    OUT.mkdir(exist_ok=True)
    print("load run: the human check is OFF and the per-address limits are raised to "
          f"{RAISED['PATIENT_LOGIN_LIMIT']!r} (HUMAN_CHECK=off, " + ", ".join(RAISED) +
          "): every simulated person comes from 127.0.0.1", flush=True)
    try:
        env, locust_env, pending = prepare()
        with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp, \
                Cluster(Path(tmp), env, servers=2, workers=WORKERS) as cluster:
            LOAD_AT_START = os.getloadavg()[0]
            memory = Memory(cluster)
            memory.start()
            run_locust(cluster, locust_env)
            memory.done.set()
            memory.join()
        results = report(read_steps(), memory, pending)
        (OUT / "load.json").write_text(json.dumps(results, indent=2))
        print("\nfor the README:\n" + markdown(results))
    finally:
        queue_speed.pg_admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        import redis
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--markdown"]:      # the table of the last run, again
        print(markdown(json.loads((OUT / "load.json").read_text())))
        sys.exit(0)
    sys.exit(main())
