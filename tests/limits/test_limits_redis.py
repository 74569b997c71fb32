"""With RATELIMIT_STORAGE_URI=redis://... every limit is counted in Redis (one count for
all app servers): the decorators' and the ones counted by hand alike.  Keys of this
test carry a prefix of their own and are deleted after (the Redis may be shared)."""
import os
import secrets

import pytest
import redis

from tests.limits.conftest import patient_at

URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_app(make_app):
    client = redis.Redis.from_url(URL, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis on 127.0.0.1:6379 is needed ({exc})")
        pytest.skip(f"no Redis on 127.0.0.1:6379 ({exc})")
    prefix = f"w-limits-test-{secrets.token_hex(4)}"
    app = make_app(RATELIMIT_STORAGE_URI=URL, RATELIMIT_KEY_PREFIX=prefix,
                   HUMAN_CHECK=False, LIVE_CHECK_LIMIT="2 per minute",
                   ENROLL_POST_LIMIT="100 per minute", ENROLL_DRAFT_LIMIT="100 per minute",
                   LIVE_CHECKS_PER_DRAFT=100)
    yield app, client, prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


def test_limits_are_counted_in_redis(redis_app, practices):
    app, client, prefix = redis_app
    patient = patient_at(app, "198.51.100.80")
    codes = [patient.post("/enroll/check/password", {"password": f"long sentence {n}"}
                          ).status_code for n in range(3)]
    assert codes == [200, 200, 429]          # counted by hand (rate_limits.allowed)
    assert patient.step("practice", {"practice": str(practices["riverside-family"])}
                        ).status_code == 303  # a decorator's limit (ENROLL_POST_LIMIT)
    keys = [key.decode() for key in client.scan_iter(f"*{prefix}*")]
    assert any("portal/live/198.51.100.80" in key for key in keys), keys
    assert any("enroll-post" in key for key in keys), keys
    assert any("portal/draft/198.51.100.80" in key for key in keys), keys
