"""The welcome page."""
from flask import Blueprint

from htmx import render

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render("index.html", "main")


def init_app(app) -> None:
    app.register_blueprint(bp)
