"""The patient's enrollment wizard (blueprint "enrollment"), the email-confirmation
pages (blueprint "confirm_email") and the `seed-demo` command.

Arrows: enrollment -> auth, outbox; never admin or account."""
from flask import Blueprint

from . import limits, steps

bp = Blueprint("enrollment", __name__, url_prefix="/enroll")
# The staff's request page lists what steps without columns of their own kept.
bp.add_app_template_global(steps.stored_sections, "step_sections")
# The staff's queue says when the practice's hourly ceiling refused requests.
bp.add_app_template_global(limits.refused_last_hour, "submissions_refused")


def init_app(app) -> None:
    from . import page_cache, routes  # noqa: F401  (routes: registers the views on bp)
    from .cli import seed_demo
    from .routes_confirm import confirm_bp
    app.register_blueprint(bp)
    app.register_blueprint(confirm_bp)
    app.cli.add_command(seed_demo)
    page_cache.init_app(app)   # templates' csrf_token(): a placeholder in a kept page
    app.jinja_env.globals["from_review"] = routes.FROM_REVIEW   # Edit links' ?from=
