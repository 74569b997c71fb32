"""`make bench`: step pages against a bare Flask "hello" route, same run, same machine.

Both apps are served by gunicorn (1 sync worker) on loopback; a client in this process
sends the same number of requests to each and reports requests per second and the ratio
to the baseline.  It also walks one whole enrollment through the test client and counts
the compressed bytes on the wire (bodies and headers), per step.  Figures are printed and
written to bench/results/latest.json; nothing here asserts a threshold.
"""
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "600"))
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", target], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{target} did not start")


def request(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def rate(port, method, path, headers=None, body=None) -> float:
    for _ in range(20):   # warm-up
        request(port, method, path, headers, body)
    start = time.perf_counter()
    for _ in range(REQUESTS):
        resp, _ = request(port, method, path, headers, body)
        assert resp.status < 400, (path, resp.status)
    return REQUESTS / (time.perf_counter() - start)


def draft_cookie(port) -> tuple[str, str]:
    """A draft that has chosen a practice: its cookies and a CSRF token."""
    resp, page = request(port, "GET", "/enroll/practice")
    cookies = "; ".join(c.split(";")[0] for c in resp.headers.get_all("Set-Cookie") or [])
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    practice = re.search(rb'<option value="(\d+)"', page).group(1).decode()
    body = f"csrf_token={token}&practice={practice}&action=next"
    resp, _ = request(port, "POST", "/enroll/practice", {
        "Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"}, body)
    more = [c.split(";")[0] for c in resp.headers.get_all("Set-Cookie") or []]
    return "; ".join([cookies] + more), token


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="portal-bench-")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.db", "HUMAN_CHECK": "off",
           "SECRET_KEY": "b" * 40, "PORTAL_ACCESS_LOG": "off"}   # gunicorn.conf.py: no log
    flask = [str(BIN / "flask"), "--app", "app"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run(flask + ["seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    hello, hello_port = serve("bench.hello:app", env)
    portal, port = serve("app:create_app()", env)
    try:
        cookie, token = draft_cookie(port)
        htmx = {"Cookie": cookie, "HX-Request": "true", "Accept-Encoding": "br"}
        results = {"requests_each": REQUESTS}
        baseline = rate(hello_port, "GET", "/hello")
        results["hello_rps"] = round(baseline, 1)
        cases = {
            "practice_page_full": ("GET", "/enroll/practice", {"Accept-Encoding": "br"}, None),
            "personal_fragment_htmx": ("GET", "/enroll/personal", htmx, None),
            "insurance_post_htmx": ("POST", "/enroll/insurance", {
                **htmx, "Content-Type": "application/x-www-form-urlencoded"},
                f"csrf_token={token}&action=back"),
        }
        for name, (method, path, headers, body) in cases.items():
            rps = rate(port, method, path, headers, body)
            results[name] = {"rps": round(rps, 1), "ratio_to_hello": round(rps / baseline, 3)}
    finally:
        for proc in (hello, portal):
            proc.terminate()
            proc.wait()
    results["bytes"] = enrollment_bytes(env)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


def enrollment_bytes(env: dict) -> dict:
    """Bytes on the wire (brotli) for one whole enrollment, JavaScript on, cold cache."""
    os.environ.update(env)
    from bench.wire import walk
    return walk()


if __name__ == "__main__":
    main()
