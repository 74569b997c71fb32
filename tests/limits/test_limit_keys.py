"""Who a client is to the limits: an IPv4 address, an IPv6 /64; trusted networks get the
per-client limits multiplied and never the per-name ones; limits are checked at start."""
import pytest
from hypothesis import given, strategies as st

import config
from rate_limits import network_of, scaled
from tests.limits.conftest import patient_at

V6 = "2001:db8:1:2:"


def test_an_ipv6_client_is_its_64():
    assert network_of("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"
    assert network_of("2001:db8:1:2::1") == network_of("2001:db8:1:2:ffff::9")
    assert network_of("2001:db8:1:3::1") != network_of("2001:db8:1:2::1")
    assert network_of("::ffff:198.51.100.7") == "198.51.100.7"   # mapped IPv4: itself
    assert network_of("198.51.100.7") == "198.51.100.7"


@given(st.ip_addresses(v=6))
def test_every_address_of_a_64_has_one_key(ip):
    key = network_of(str(ip))
    if ip.ipv4_mapped is None:
        prefix = int(ip) >> 64
        assert key == network_of(str(type(ip)((prefix << 64) | 0xFFFF_FFFF)))


def test_limits_count_a_64_as_one_client(app, practices, default_limits, monkeypatch):
    """The password live check (LIVE_CHECK_LIMIT) from addresses of one /64, then from
    the next /64."""
    monkeypatch.setitem(app.config, "LIVE_CHECK_LIMIT", "3 per minute")
    codes = [patient_at(app, f"{V6}:{n:x}").post("/enroll/check/password",
                                                  {"password": "a long sentence here"}
                                                  ).status_code
             for n in range(1, 5)]
    assert codes == [200, 200, 200, 429]
    other = patient_at(app, "2001:db8:1:3::1").post("/enroll/check/password",
                                                    {"password": "a long sentence"})
    assert other.status_code == 200


def test_scaled_multiplies_every_amount():
    assert scaled("20 per minute; 200 per hour", 10) == "200 per 1 minute; 2000 per 1 hour"
    assert scaled("10 per 15 minutes", 3) == "30 per 15 minute"


def test_trusted_network_gets_more_per_client_but_not_per_name(app, practices, monkeypatch,
                                                               default_limits):
    """A clinic's kiosk network: ten times the per-client limit; a per-name limit
    (the recovery of one username) stays as it is."""
    monkeypatch.setitem(app.config, "LIMIT_TRUSTED_NETWORKS",
                        config.trusted_networks("192.0.2.0/24"))
    monkeypatch.setitem(app.config, "LIMIT_TRUSTED_MULTIPLIER", 10)
    monkeypatch.setitem(app.config, "PATIENT_RECOVERY_LIMIT", "2 per hour")
    kiosk = patient_at(app, "192.0.2.10")
    kiosk.get("/forgot-username")
    emails = [kiosk.post("/forgot-username", {"email": f"p{n}@example.org"}).status_code
              for n in range(21)]
    assert emails == [200] * 20 + [429]
    other_kiosk = patient_at(app, "192.0.2.11")   # one network, each kiosk its own count
    other_kiosk.get("/forgot-password")
    named = [other_kiosk.post("/forgot-password", {"identifier": "same-name"}).status_code
             for _ in range(3)]
    assert named == [200, 200, 429]
    outside = patient_at(app, "198.51.100.10")
    outside.get("/forgot-username")
    plain = [outside.post("/forgot-username", {"email": f"q{n}@example.org"}).status_code
             for n in range(3)]
    assert plain == [200, 200, 429]


@pytest.mark.parametrize("bad", ["ten per hour", "10 per fortnight", "-"])
def test_a_limit_that_does_not_parse_stops_the_start(monkeypatch, bad):
    monkeypatch.setenv("SUBMIT_LIMIT", bad)
    with pytest.raises(config.ConfigError, match="SUBMIT_LIMIT"):
        config.limit_settings()


def test_trusted_networks_that_do_not_parse_stop_the_start(monkeypatch):
    monkeypatch.setenv("LIMIT_TRUSTED_NETWORKS", "192.0.2.0/24, the clinic")
    with pytest.raises(config.ConfigError, match="LIMIT_TRUSTED_NETWORKS"):
        config.limit_settings()
