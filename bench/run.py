"""`make bench`: a step page against a bare Flask "hello" route, side by side in one run.

Both apps are served by gunicorn with the same settings (bench/gunicorn_bench.py: 2 sync
workers, the production worker class) on loopback, and wrk (Debian's package) loads each
in turn with 32 connections on 2 threads (`wrk -c32 -t2 -d<BENCH_SECONDS>s`):

  hello        GET /hello, the bare route (before and after the others: the ratios use
               the mean of both, and the output shows how far they differ);
  step GET     the first step's page as a browser asks for it on a first visit: a full
               page, compressed, the cookies it was given sent back (bench/wrk/step_get.lua);
  step POST    a valid htmx post of that step (the draft written, the next step's
               fragment answered) by 32 browsers in turn, each with its own session,
               token and draft, made beforehand as a browser makes them
               (bench/wrk/step_post.lua).

For the bench the human check is off and the wizard's per-address limits are raised,
through the environment (every request comes from 127.0.0.1); the output says so.
Figures go to bench/results/latest.json (and a copy named by the time); nothing here
asserts a threshold.  It then walks one whole enrollment through the test client and
counts the compressed bytes on the wire (bodies and headers), per step.
"""
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS, THREADS = 32, 2
BIN = Path(sys.executable).parent
RELAXED = {"HUMAN_CHECK": "off", "ENROLL_DRAFT_LIMIT": "1000000 per hour",
           "ENROLL_POST_LIMIT": "10000000 per hour"}
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "13"))
INSTALL_WRK = "wrk is missing: install it with `sudo apt-get install -y wrk` (Debian's package)."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "bench/gunicorn_bench.py",
                             "-b", f"127.0.0.1:{port}", target], cwd=ROOT, env=env)
    for _ in range(150):
        try:
            resp, _ = request(port, "GET", "/healthz" if target.startswith("app") else "/hello")
            if resp.status == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{target} did not start")


def request(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def cookies_of(resp, jar: dict) -> dict:
    for header in resp.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";")[0].partition("=")
        jar[name.strip()] = value
    return jar


def browser_with_draft(port) -> tuple[str, str, str]:
    """A browser that loaded the first step and chose a practice (its draft made, every
    cookie kept): its Cookie header, its CSRF token and the practice's id."""
    resp, page = request(port, "GET", "/enroll/practice")
    jar = cookies_of(resp, {})
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    practice = re.search(rb'<option value="(\d+)"', page).group(1).decode()
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    resp, _ = request(port, "POST", "/enroll/practice", {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        f"csrf_token={token}&practice={practice}&action=next")
    assert resp.status == 303, resp.status
    cookies_of(resp, jar)
    assert "enroll_draft" in jar, jar
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    resp, _ = request(port, "GET", resp.getheader("Location"), {"Cookie": cookie})
    assert resp.status == 200, resp.status   # the redirect followed, as a browser does
    cookies_of(resp, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items()), token, practice


def workers_cpu(master: subprocess.Popen) -> float:
    """CPU seconds (user + system) the gunicorn workers of `master` have used so far."""
    pid = master.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for child in children:
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])   # utime, stime
    return total / ticks


def wrk(server: tuple, path: str, script: str | None = None, args: list[str] = ()) -> dict:
    master, port = server
    cmd = ["wrk", f"-c{CONNECTIONS}", f"-t{THREADS}", f"-d{SECONDS}s"]
    if script:
        cmd += ["-s", script]
    cmd += [f"http://127.0.0.1:{port}{path}"]
    if args:
        cmd += ["--", *args]
    cpu = workers_cpu(master)
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    cpu = workers_cpu(master) - cpu
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    result = {"rps": rps, "requests": total,
              "worker_cpu_ms_per_request": round(cpu * 1000 / max(total, 1), 3),
              "latency_avg": re.search(r"Latency\s+(\S+)", out).group(1)}
    errors = re.search(r"Socket errors: (.*)", out)
    if errors:
        result["socket_errors"] = errors.group(1).strip()
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        result["non_2xx_3xx"] = int(bad.group(1))
    counts: dict = {}
    for line in out.splitlines():
        if line.startswith("LUA "):
            for item in line[4:].split():
                key, _, n = item.partition("=")
                counts[key] = counts.get(key, 0) + int(n)
    if counts:
        result["counts"] = counts
    return result


def limit_storage() -> str:
    """Where the limits count: Redis, as with several workers or servers (gunicorn's two
    workers would each count alone in memory://), when 127.0.0.1:6379 answers; the
    bench's database (BENCH_REDIS_DB, default 13) is emptied before and after."""
    import redis
    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    try:
        redis.Redis.from_url(url, socket_timeout=1).flushdb()
    except redis.RedisError:
        return "memory://"
    return url


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def measure(hello: tuple, portal: tuple) -> dict:
    browsers = [browser_with_draft(portal[1]) for _ in range(CONNECTIONS)]
    practice = browsers[0][2]
    runs = {"hello": wrk(hello, "/hello"),
            "step_get": wrk(portal, "/enroll/practice", "bench/wrk/step_get.lua"),
            "step_post": wrk(portal, "/enroll/practice", "bench/wrk/step_post.lua",
                             [practice, str(THREADS)]
                             + [f"{cookie}|{token}" for cookie, token, _ in browsers]),
            "hello_again": wrk(hello, "/hello")}
    return runs


def report(runs: dict) -> dict:
    hello = (runs["hello"]["rps"] + runs["hello_again"]["rps"]) / 2
    drift = abs(runs["hello"]["rps"] - runs["hello_again"]["rps"]) / hello
    table = {
        "hello_rps": round(hello, 1), "hello_drift": round(drift, 3),
        "step_get_rps": runs["step_get"]["rps"],
        "step_get_ratio": round(runs["step_get"]["rps"] / hello, 3),
        "step_post_rps": runs["step_post"]["rps"],
        "step_post_ratio": round(runs["step_post"]["rps"] / hello, 3),
    }
    print(f"\nwrk -c{CONNECTIONS} -t{THREADS} -d{SECONDS}s, gunicorn 2 sync workers each")
    cpu = {name: run["worker_cpu_ms_per_request"] for name, run in runs.items()}
    table["worker_cpu_ms"] = cpu
    print(f"  {'case':34} {'req/s':>9} {'ratio':>7} {'worker CPU ms/req':>18}")
    print(f"  {'bare Flask GET /hello (mean)':34} {hello:9.1f} {1:7.3f} "
          f"{(cpu['hello'] + cpu['hello_again']) / 2:18.3f}"
          f"   (before {runs['hello']['rps']:.0f}, after {runs['hello_again']['rps']:.0f})")
    print(f"  {'step GET /enroll/practice':34} {table['step_get_rps']:9.1f} "
          f"{table['step_get_ratio']:7.3f} {cpu['step_get']:18.3f}")
    print(f"  {'step POST /enroll/practice (htmx)':34} {table['step_post_rps']:9.1f} "
          f"{table['step_post_ratio']:7.3f} {cpu['step_post']:18.3f}")
    for name, run in runs.items():
        problems = {k: run[k] for k in ("socket_errors", "non_2xx_3xx") if k in run}
        statuses = {k: v for k, v in run.get("counts", {}).items() if k.startswith("status")}
        if problems or statuses:
            print(f"  {name}: {problems or ''} {statuses or ''}".rstrip())
    return table


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit(INSTALL_WRK)
    tmp = tempfile.mkdtemp(prefix="portal-bench-")
    storage = limit_storage()
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "b" * 40,
           "PORTAL_ACCESS_LOG": "off", "RATELIMIT_STORAGE_URI": storage, **RELAXED}
    print("For the bench (every request comes from 127.0.0.1), through the environment: "
          + ", ".join(f"{k}={v}" for k, v in RELAXED.items())
          + f"; the limits count in {storage}")
    flask = [str(BIN / "flask"), "--app", "app"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run(flask + ["seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    load_before = uptime()
    hello = serve("bench.hello:app", env)
    portal = serve("app:create_app()", env)
    try:
        runs = measure(hello, portal)
    finally:
        for proc, _ in (hello, portal):
            proc.terminate()
            proc.wait()
        if storage != "memory://":
            import redis
            redis.Redis.from_url(storage).flushdb()
    results = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "wrk": f"-c{CONNECTIONS} -t{THREADS} -d{SECONDS}s",
               "gunicorn": "2 sync workers each (bench/gunicorn_bench.py)",
               "database": database.split(":")[0], "relaxed_for_the_bench": RELAXED,
               "limits_storage": storage,
               "load_before": load_before, "load_after": uptime(), "runs": runs}
    results["table"] = report(runs)
    print(f"  load: before {load_before.split('load average:')[-1].strip()}, "
          f"after {results['load_after'].split('load average:')[-1].strip()}")
    if os.environ.get("BENCH_BYTES", "1") != "0":
        results["bytes"] = enrollment_bytes(env)
        print("bytes on the wire, one enrollment:", json.dumps(results["bytes"]))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    text = json.dumps(results, indent=2)
    (out / "latest.json").write_text(text)
    stamp = results["when"].replace(":", "").replace("-", "")[:15]
    (out / f"steps-{stamp}.json").write_text(text)


def enrollment_bytes(env: dict) -> dict:
    """Bytes on the wire (brotli) for one whole enrollment, JavaScript on, cold cache."""
    os.environ.update(env)
    from bench.wire import walk
    return walk()


if __name__ == "__main__":
    main()
