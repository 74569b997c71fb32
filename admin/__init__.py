"""The staff dashboard (blueprint "admin"): sign-in, the queue, decisions, audit."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_admin(app) -> None:
    from auth.login import register_kind

    from . import routes, routes_audit, routes_request  # noqa: F401  (views on bp)
    from . import routes_settings, routes_staff  # noqa: F401  (practice administration)
    from . import routes_duplicates, templating  # noqa: F401
    from . import routes_appointments  # noqa: F401  (appointment requests)
    from .cli import practice_group, staff_group
    from .staff import load_staff
    register_kind("staff", load_staff, idle_config="STAFF_IDLE_MINUTES",
                  login_endpoint="admin.login", blueprints=("admin",))
    app.register_blueprint(bp)
    app.cli.add_command(practice_group)
    app.cli.add_command(staff_group)
