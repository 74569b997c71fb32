"""The patient's enrollment wizard (blueprint "enrollment")."""
from flask import Blueprint

from . import steps

bp = Blueprint("enrollment", __name__, url_prefix="/enroll")
# The staff's request page lists what steps without columns of their own kept.
bp.add_app_template_global(steps.stored_sections, "step_sections")

from . import routes  # noqa: E402,F401  (registers the views on bp)
from .routes_confirm import confirm_bp  # noqa: E402,F401  (email confirmation pages)
