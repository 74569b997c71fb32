"""A local load-balanced portal: N gunicorn app servers (gunicorn.conf.py) behind one
real nginx (deploy/nginx.conf, round robin), sharing one database and one Redis.

Used by tests/deploy/test_load_balanced.py and bench/load.py, so both run the same
thing.  Everything listens on loopback ports chosen free, lives under one folder (nginx's
prefix, its config, pid and temp files, every log) and stops with the cluster.

    with Cluster(folder, env, servers=2) as cluster:   # env: DATABASE_URL, SECRET_KEY...
        cluster.proxy_url                                # http://127.0.0.1:<nginx port>
        cluster.servers[0].url                           # straight to app server 1
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
PROXY_ADDRESS = "127.0.0.1"   # nginx connects to the app servers from here


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)),
        None)


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
                raise RuntimeError(f"nothing answers on port {port}:\n{tail}") from None
            time.sleep(0.05)


def run_flask(env: dict, *args: str) -> str:
    """`flask --app app ARGS` in the portal's folder; its output (raises on failure)."""
    done = subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@dataclass
class Process:
    name: str
    proc: subprocess.Popen
    log: Path

    def terminate(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, seconds: float = 15) -> int:
        self.terminate()
        try:
            self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode


def start_process(name: str, argv: list, env: dict, folder: Path) -> Process:
    log = folder / f"{name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    return Process(name, proc, log)


@dataclass
class AppServer:
    name: str
    port: int
    access_log: Path
    process: Process = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        pid = self.process.proc.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []


def rss_kib(pid: int) -> int:
    """Resident memory of one process, in KiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def nginx_config(folder: Path, listen: int, upstreams: list[int]) -> str:
    """deploy/nginx.conf (the server block the README shows) with this cluster's listen
    port, app servers and log, inside a main config of its own (no root needed)."""
    block = NGINX_CONF.read_text()
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in upstreams)
    for pattern, line in (
            (r"^ *server [^\n]*# @upstream[^\n]*\n(?: *server [^;\n]+;\n)*", servers),
            (r"^( *)listen [^\n]*# @listen[^\n]*$", rf"\g<1>listen 127.0.0.1:{listen};"),
            (r"^( *)access_log [^\n]*# @access_log[^\n]*$",
             rf"\g<1>access_log {folder}/nginx-access.log portal;")):
        block, found = re.subn(pattern, line, block, flags=re.M)
        if found != 1:
            raise RuntimeError(f"deploy/nginx.conf: no line marked for {pattern!r}")
    user = "user root root;\n" if os.geteuid() == 0 else ""   # else workers run as nobody
    temps = "".join(f"{kind}_temp_path {folder}/nginx-{kind}-temp;\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"{user}worker_processes 1;\ndaemon off;\npid {folder}/nginx.pid;\n"
            f"error_log {folder}/nginx-error.log warn;\n"
            f"events {{ worker_connections 1024; }}\n"
            f"http {{\n{temps}{block}\n}}\n")


class Cluster:
    """`servers` gunicorn app servers of `workers` workers each, behind one nginx."""

    def __init__(self, folder: Path, env: dict, servers: int = 2, workers: int = 1,
                 name_servers: bool = True):
        self.folder = Path(folder)
        self.env = env
        self.count, self.workers, self.name_servers = servers, workers, name_servers
        self.servers: list[AppServer] = []
        self.others: list[Process] = []
        self.nginx: Process | None = None
        self.proxy_port = 0

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def server_env(self, index: int) -> dict:
        env = {**self.env, "TRUSTED_PROXIES": self.env.get("TRUSTED_PROXIES", PROXY_ADDRESS)}
        if self.name_servers:
            env["PORTAL_SERVER_NAME"] = f"app-{index + 1}"
        return env

    def start(self) -> "Cluster":
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            for index in range(self.count):
                self.servers.append(self._start_server(index))
            for server in self.servers:
                wait_for_port(server.port, server.process.proc, server.process.log, 60)
            self._start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_server(self, index: int) -> AppServer:
        name, port = f"app-{index + 1}", free_port()
        access = self.folder / f"{name}-access.log"
        env = {**self.server_env(index), "PORTAL_BIND": f"127.0.0.1:{port}",
               "WEB_CONCURRENCY": str(self.workers), "PORTAL_ACCESS_LOG": str(access)}
        argv = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]
        return AppServer(name, port, access, start_process(name, argv, env, self.folder))

    def _start_nginx(self) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx-light)")
        self.proxy_port = free_port()
        conf = self.folder / "nginx.conf"
        conf.write_text(nginx_config(self.folder, self.proxy_port,
                                     [s.port for s in self.servers]))
        argv = [binary, "-p", f"{self.folder}/", "-c", str(conf),
                "-e", str(self.folder / "nginx-error.log")]
        self.nginx = start_process("nginx", argv, os.environ.copy(), self.folder)
        wait_for_port(self.proxy_port, self.nginx.proc, self.folder / "nginx-error.log")

    def start_sender(self, index: int, interval: float = 0.5) -> Process:
        """`flask outbox send --watch` with server `index`'s environment."""
        env = {**self.server_env(index), "PYTHONUNBUFFERED": "1"}
        argv = [str(BIN / "flask"), "--app", "app", "outbox", "send", "--watch",
                "--interval", str(interval)]
        process = start_process(f"sender-{index + 1}", argv, env, self.folder)
        self.others.append(process)
        return process

    def stop(self) -> None:
        """Everything told to stop at once, then waited for."""
        processes = [p for p in [*self.others, self.nginx, *(s.process for s in self.servers)]
                     if p is not None]
        for process in processes:
            process.terminate()
        for process in processes:
            process.stop()

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
