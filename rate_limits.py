"""Rate limits: who a client is, which limits apply to it, and when it may try again.

* One key for every limit counted per client: the address the app believes
  (serving.py, TRUSTED_PROXIES); an IPv6 client is counted by its /64, the block one
  home or one phone gets, so walking through its 2**64 addresses buys nothing.
* Trusted networks (LIMIT_TRUSTED_NETWORKS: a clinic's kiosks, its front-desk Wi-Fi)
  get every per-client limit multiplied by LIMIT_TRUSTED_MULTIPLIER.  Limits per
  named thing (an account, an email address, a draft, a practice) are never raised:
  they protect that thing, wherever the tries come from.
* Limits are Flask-Limiter strings ("20 per minute; 200 per hour"), read from the
  configuration at each request, counted in RATELIMIT_STORAGE_URI (Redis with several
  servers) with a moving window: no burst at a window's edge.
* A refusal knows when the next try will be allowed: the 429 page says it in minutes
  and the response carries Retry-After (seconds), for the decorators' limits and for
  the ones views count by hand (`allowed`).
"""
import ipaddress
import math
import time
from typing import Callable

from flask import Flask, current_app, g, request
from flask_babel import ngettext
from limits import RateLimitItem, parse_many

from extensions import limiter

PREFIX = "portal"   # the storage keys of the limits counted by hand: portal/<scope>/<key>


# --- who the client is ----------------------------------------------------------------

def network_of(address: str) -> str:
    """An IPv4 address as itself, an IPv6 address as its /64 ("2001:db8:1:2::/64"),
    an IPv4-mapped IPv6 address as the IPv4 one.  Anything else: as given."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return address or "-"
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_key() -> str:
    """The key of every per-client limit (Flask-Limiter's key_func)."""
    return network_of(request.remote_addr or "")


def trusted() -> bool:
    """The client is on one of LIMIT_TRUSTED_NETWORKS."""
    networks = current_app.config.get("LIMIT_TRUSTED_NETWORKS") or ()
    try:
        ip = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in networks)


# --- which limits ---------------------------------------------------------------------

def scaled(value: str, factor: int) -> str:
    """'10 per 15 minutes; 50 per day' with each amount multiplied by `factor`."""
    items = parse_many(value)
    return "; ".join(f"{item.amount * factor} per {item.multiples} {item.GRANULARITY.name}"
                     for item in items)


def per_client(name: str) -> Callable[[], str]:
    """The limit named `name` in the configuration, as it applies to this client
    (multiplied on a trusted network): for the decorators and for `allowed`."""
    def value() -> str:
        configured = current_app.config[name]
        if trusted():
            return scaled(configured, max(1, int(current_app.config["LIMIT_TRUSTED_MULTIPLIER"])))
        return configured
    value.__name__ = f"per_client_{name.lower()}"
    return value


def per_name(name: str) -> Callable[[], str]:
    """The limit named `name` as it applies to one named thing: never raised."""
    def value() -> str:
        return current_app.config[name]
    value.__name__ = f"per_name_{name.lower()}"
    return value


# --- counting by hand -----------------------------------------------------------------

def _items(value: str) -> list[RateLimitItem]:
    return list(parse_many(value))


def _keys(scope: str, key: str) -> tuple[str, str, str]:
    return current_app.config.get("RATELIMIT_KEY_PREFIX", "") + PREFIX, scope, key


def allowed(value: str, scope: str, key: str, hit: bool = True) -> bool:
    """Count one try of `key` against every limit in `value` (nothing counted when one
    of them is already full).  False: refused, and this request knows when to retry."""
    strategy = limiter.limiter
    items = _items(value)
    full = [item for item in items if not strategy.test(item, *_keys(scope, key))]
    if full:
        _note_retry(max(strategy.get_window_stats(item, *_keys(scope, key)).reset_time
                        for item in full))
        return False
    if hit:
        for item in items:
            strategy.hit(item, *_keys(scope, key))
    return True


def count(value: str, scope: str, key: str) -> int:
    """How many tries of `key` the first limit of `value` holds now (in its window);
    0 with limits switched off."""
    if not limiter.enabled:
        return 0
    item = _items(value)[0]
    remaining = limiter.limiter.get_window_stats(item, *_keys(scope, key)).remaining
    return item.amount - remaining


# --- when to try again ----------------------------------------------------------------

def _note_retry(reset_time: float) -> None:
    g.retry_at = max(g.get("retry_at", 0.0), float(reset_time))


def note_retry_in(seconds: float) -> None:
    """A refusal counted elsewhere (one confirmation link a minute): when it lifts."""
    _note_retry(time.time() + seconds)


def seconds_to_wait() -> int | None:
    """Seconds until the refused try would be allowed, or None when nothing was
    refused in this request."""
    reset = g.get("retry_at", 0.0)
    for breached in limiter.current_limits if limiter.enabled else ():
        if breached.breached:
            reset = max(reset, float(breached.reset_at))
    if not reset:
        return None
    return max(1, math.ceil(reset - time.time()))


def wait_text(seconds: int | None = None) -> str:
    """'Try again in 3 minutes.' (at least a minute; hours beyond 90 minutes)."""
    seconds = seconds if seconds is not None else seconds_to_wait()
    if seconds is None:
        return ngettext("Try again in %(num)d minute.", "Try again in %(num)d minutes.", 15)
    minutes = max(1, math.ceil(seconds / 60))
    if minutes > 90:
        return ngettext("Try again in %(num)d hour.", "Try again in %(num)d hours.",
                        math.ceil(minutes / 60))
    return ngettext("Try again in %(num)d minute.", "Try again in %(num)d minutes.", minutes)


def init_app(app: Flask) -> None:
    """Retry-After on every 429 whose limit knows its reset; the wait in templates."""
    @app.after_request
    def _retry_after(resp):
        if resp.status_code == 429 and "Retry-After" not in resp.headers:
            seconds = seconds_to_wait()
            if seconds is not None:
                resp.headers["Retry-After"] = str(seconds)
        return resp

    @app.context_processor
    def _wait():
        return {"retry_wait": wait_text}
