"""Extension objects, created here and bound in create_app (no circular imports)."""
from flask_compress import Compress
from flask_mail import Mail
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from i18n import Babel   # Flask-Babel's, its catalog found once per request

# Stable constraint names so migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True)
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
mail = Mail()   # used only by outbox/sender.py: views enqueue, never send


def _client_key() -> str:
    """Every per-client limit's key: rate_limits.client_key (an IPv6 client's /64)."""
    from rate_limits import client_key
    return client_key()


# Limits are applied where a view asks (rate_limits.py); the storage is
# RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=_client_key, default_limits=[])
# Sign-in (auth/login.py): one user loader, ids carry the kind of user ("staff:7").
login_manager = LoginManager()
