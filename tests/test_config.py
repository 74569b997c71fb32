"""Configuration from the environment: secrets, database URL, production checks,
the argon2 figures (trusted proxies: tests/deploy/test_serving.py)."""
import secrets

import pytest

import config
import crypto
from app import create_app
from auth.hashing import hash_secret

@pytest.fixture
def env(monkeypatch):
    """A clean environment for load_config: no variable the tests do not set."""
    for name in ("PORTAL_ENV", "SECRET_KEY", "DATABASE_URL", "ARGON2_TIME_COST",
                 "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM", "MAIL_SERVER", "PORTAL_BASE_URL",
                 "PORTAL_DATA_KEYS", "PORTAL_INDEX_KEY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def production(env):
    env.setenv("PORTAL_ENV", "production")
    env.setenv("MAIL_SERVER", "smtp.example.org")
    env.setenv("PORTAL_BASE_URL", "https://portal.example.org")
    env.setenv("PORTAL_DATA_KEYS", crypto.new_data_key())
    env.setenv("PORTAL_INDEX_KEY", crypto.new_index_key())


# --- configuration ----------------------------------------------------------------------

@pytest.mark.parametrize("key", [None, "", "short", "changeme", "secret", "x" * 31])
def test_production_refuses_to_start_without_a_strong_secret_key(env, tmp_path, key):
    production(env)
    if key is not None:
        env.setenv("SECRET_KEY", key)
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.load_config(str(tmp_path))
    with pytest.raises(config.ConfigError):
        create_app({"TESTING": True})
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("unset", ["MAIL_SERVER", "PORTAL_BASE_URL", "PORTAL_DATA_KEYS",
                                   "PORTAL_INDEX_KEY"])
def test_production_refuses_to_start_without_mail_base_url_or_keys(env, tmp_path, unset):
    production(env)
    env.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    env.delenv(unset)
    with pytest.raises(config.ConfigError, match=unset):
        config.load_config(str(tmp_path))


def test_production_accepts_a_strong_secret_key(env, tmp_path):
    strong = secrets.token_urlsafe(48)
    production(env)
    env.setenv("SECRET_KEY", strong)
    cfg = config.load_config(str(tmp_path))
    assert cfg["SECRET_KEY"] == strong
    assert cfg["PRODUCTION"] is True
    assert cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["SESSION_COOKIE_HTTPONLY"] is True
    assert cfg["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not (tmp_path / "secret_key").exists()


def test_development_secret_key_is_generated_once_under_instance(env, tmp_path):
    instance = tmp_path / "instance"
    first = config.load_config(str(instance))
    stored = instance / "secret_key"
    assert stored.exists()
    assert stored.stat().st_mode & 0o777 == 0o600
    assert len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] == stored.read_text().strip()
    assert config.load_config(str(instance))["SECRET_KEY"] == first["SECRET_KEY"]
    assert config.load_config(str(tmp_path / "other"))["SECRET_KEY"] != first["SECRET_KEY"]
    assert first["PRODUCTION"] is False and first["SESSION_COOKIE_SECURE"] is False
    env.setenv("SECRET_KEY", "k" * 40)
    assert config.load_config(str(instance))["SECRET_KEY"] == "k" * 40


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:pw@db.example:5432/portal", "postgresql+psycopg://u:pw@db.example:5432/portal"),
    ("postgresql://u@localhost/portal", "postgresql+psycopg://u@localhost/portal"),
    ("postgresql+psycopg://u@localhost/portal", "postgresql+psycopg://u@localhost/portal"),
    ("sqlite:////srv/portal.db", "sqlite:////srv/portal.db"),
])
def test_database_url_is_translated_for_psycopg(env, tmp_path, given, expected):
    env.setenv("DATABASE_URL", given)
    assert config.load_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == expected


def test_database_url_defaults_to_sqlite_under_instance(env, tmp_path):
    url = config.load_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"]
    assert url == "sqlite:///" + str(tmp_path / "portal.db")


def test_numbers_in_the_environment_must_be_numbers(env, tmp_path):
    env.setenv("DRAFT_TTL_HOURS", "a day")
    with pytest.raises(config.ConfigError, match="DRAFT_TTL_HOURS"):
        config.load_config(str(tmp_path))


def test_production_argon2_figures_are_owasps(app, env, tmp_path):
    """The one test of the production figures: the suite itself hashes cheaply."""
    production(env)
    env.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    cfg = config.load_config(str(tmp_path))
    figures = {k: cfg[k] for k in ("ARGON2_MEMORY_COST", "ARGON2_TIME_COST",
                                   "ARGON2_PARALLELISM")}
    assert figures == {"ARGON2_MEMORY_COST": 19456, "ARGON2_TIME_COST": 2,
                       "ARGON2_PARALLELISM": 1}
    assert app.config["ARGON2_MEMORY_COST"] < 19456      # the suite runs cheap
    with app.app_context():
        for key, value in figures.items():
            env.setitem(app.config, key, value)
        hashed = hash_secret("correct horse battery staple")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize("name", ["LOGIN_THROTTLE_AFTER", "LOGIN_THROTTLE_FIRST_SECONDS",
                                  "LOGIN_THROTTLE_MAX_SECONDS", "LOGIN_THROTTLE_KEEP_DAYS"])
def test_sign_in_throttling_settings_are_read_and_must_be_positive(env, tmp_path, name):
    env.setenv(name, "7")
    assert config.load_config(str(tmp_path))[name] == 7
    env.setenv(name, "0")
    with pytest.raises(config.ConfigError, match=name):
        config.load_config(str(tmp_path))


def test_retention_periods_default_to_30_days_and_six_years(env, tmp_path):
    env.delenv("RETENTION_REJECTED_DAYS", raising=False)
    env.delenv("AUDIT_RETENTION_DAYS", raising=False)
    cfg = config.load_config(str(tmp_path))
    assert (cfg["RETENTION_REJECTED_DAYS"], cfg["AUDIT_RETENTION_DAYS"]) == (30, 2190)
    env.setenv("RETENTION_REJECTED_DAYS", "90")
    assert config.load_config(str(tmp_path))["RETENTION_REJECTED_DAYS"] == 90


@pytest.mark.parametrize("name", ["RETENTION_REJECTED_DAYS", "AUDIT_RETENTION_DAYS"])
@pytest.mark.parametrize("value,says", [("0", "must be 1 or more"),
                                        ("ninety", "must be a whole number")])
def test_a_retention_period_is_a_number_of_days(env, tmp_path, name, value, says):
    env.setenv(name, value)
    with pytest.raises(config.ConfigError, match=f"{name} {says}"):
        config.load_config(str(tmp_path))
