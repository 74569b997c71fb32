"""A browser for the load-balanced test: real HTTP (requests), cookies, its own loopback
source address (so nginx sees a client address that is not its own), no redirect
followed unasked, and a note of which app server answered each request (X-Served-By).
Also the proof of work solved in Python exactly as static/js/human_check.js solves it."""
import base64
import hashlib
import html
import json
import re
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CHALLENGE_RE = re.compile(r'data-challenge="([^"]+)"')
MAX_ATTEMPTS = 20_000     # the expected number is 256 for the default prefix "00"


class SourceAddress(HTTPAdapter):
    """Connections leave from `source` (any 127.x.y.z is this machine's loopback)."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


class Browser:
    def __init__(self, base: str, source: str, headers: dict | None = None):
        self.base, self.source = base, source
        self.session = requests.Session()
        self.session.mount("http://", SourceAddress(source))
        self.session.headers.update(headers or {})
        self.token = None
        self.served: list[str | None] = []
        self.last = None

    def request(self, method: str, path: str, base: str | None = None, **kw):
        resp = self.session.request(method, (base or self.base) + path, timeout=20,
                                    allow_redirects=False, **kw)
        self.served.append(resp.headers.get("X-Served-By"))
        found = TOKEN_RE.search(resp.text)
        if found:
            self.token = html.unescape(found.group(1))
        self.last = resp
        return resp

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, data: dict, **kw):
        return self.request("POST", path, data={"csrf_token": self.token, **data}, **kw)

    def follow(self, resp, status: int = 303):
        assert resp.status_code == status, (resp.request.url, resp.status_code, resp.text[:2000])
        target = urlsplit(resp.headers["Location"])
        return self.get(target.path + (f"?{target.query}" if target.query else ""))

    def clone(self, source: str, base: str | None = None) -> "Browser":
        """Another connection (own address) holding a copy of this browser's cookies."""
        other = Browser(base or self.base, source, dict(self.session.headers))
        other.session.cookies.update(self.session.cookies)
        other.token = self.token
        return other


def solve(page: str) -> str:
    """The page's ALTCHA challenge solved as human_check.js does (PBKDF2/SHA-256 of the nonce
    followed by a big-endian 32-bit counter, until the key starts with the prefix);
    returns the form's `human_check_proof` value."""
    challenge = json.loads(html.unescape(CHALLENGE_RE.search(page).group(1)))
    p = challenge["parameters"]
    salt, nonce = bytes.fromhex(p["salt"]), bytes.fromhex(p["nonce"])
    for counter in range(MAX_ATTEMPTS):
        key = hashlib.pbkdf2_hmac("sha256", nonce + counter.to_bytes(4, "big"), salt,
                                  p["cost"], p["keyLength"]).hex()
        if key.startswith(p["keyPrefix"]):
            solution = {"challenge": challenge,
                        "solution": {"counter": counter, "derivedKey": key}}
            return base64.b64encode(json.dumps(solution, separators=(",", ":")).encode()).decode()
    raise AssertionError("no solution found")
