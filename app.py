"""create_app: loads config, inits extensions, registers blueprints, CLI commands,
error pages and security headers.  Nothing else."""
import os

from flask import Flask, request

import cli
import errors
from assets import Assets
from config import load_config
from database import init_database
from flask_babel import get_locale

from auth.login import init_login
from extensions import babel, compress, csrf, db, limiter, mail, migrate
from security import init_security_headers
from serving import init_serving


def select_locale():
    from flask import current_app
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(config or {})

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    compress.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    init_database(app)
    Assets(app)
    init_security_headers(app)
    init_login(app)
    init_serving(app)   # trusted proxies, /healthz, X-Served-By, the SQLite warning

    from enrollment import bp as enrollment_bp
    from enrollment import confirm_bp
    from home import bp as home_bp
    app.register_blueprint(home_bp)
    app.register_blueprint(enrollment_bp)
    app.register_blueprint(confirm_bp)
    from admin import init_admin
    init_admin(app)
    from account import init_account
    init_account(app)

    errors.init_error_pages(app)
    cli.init_cli(app)
    return app
