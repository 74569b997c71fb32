"""create_app: loads config, inits extensions, each package's init_app(app), error
pages and security headers.  Nothing else."""
import os

from flask import Flask

import account
import admin
import auth
import crypto
import enrollment
import errors
import home
import i18n
import outbox
import rate_limits
import seclog
import upkeep
from assets import Assets
from config import load_config
from database import init_database
from extensions import csrf, db, limiter, mail, migrate
from security import init_security_headers
from serving import init_compression, init_serving

# Top to bottom: what each registers (blueprints, user kinds, CLI commands).
PACKAGES = (auth, outbox, enrollment, home, admin, account, upkeep)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(config or {})

    seclog.init_app(app)   # first: every later hook and view sees the request's id
    crypto.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"))
    csrf.init_app(app)
    i18n.init_app(app)   # Flask-Babel, the patient's choice of language, the switcher
    init_compression(app)   # every HTML answer compressed, 4xx included (serving.py)
    limiter.init_app(app)
    rate_limits.init_app(app)   # Retry-After and the wait on every 429
    mail.init_app(app)
    init_database(app)
    Assets(app)
    init_security_headers(app)
    init_serving(app)   # trusted proxies, /healthz, X-Served-By, the SQLite warning

    for package in PACKAGES:
        package.init_app(app)

    errors.init_error_pages(app)
    return app
