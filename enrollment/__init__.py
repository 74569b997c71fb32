"""The patient's enrollment wizard (blueprint "enrollment")."""
from flask import Blueprint

bp = Blueprint("enrollment", __name__, url_prefix="/enroll")

from . import routes  # noqa: E402,F401  (registers the views on bp)
from .routes_confirm import confirm_bp  # noqa: E402,F401  (email confirmation pages)
