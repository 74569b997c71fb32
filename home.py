"""The welcome page and the built-in terms of use and privacy notice."""
from flask import Blueprint, current_app

from htmx import render

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render("index.html", "main")


@bp.get("/terms")
def terms():
    """The built-in terms of use and privacy notice (a practice may link its own)."""
    return render("terms.html", "main", version=current_app.config["TERMS_VERSION"])


def init_app(app) -> None:
    app.register_blueprint(bp)
