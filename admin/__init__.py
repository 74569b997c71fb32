"""The staff dashboard: ONE blueprint ("admin", /admin), split by feature.

    core.py         the guard (staff_required, admin_required), no-store, navigation,
                    template helpers, the forms' base and a queue's Page
    requests/       enrollment requests: queue, search, detail, decisions, duplicates,
                    needs information
    appointments/   appointment requests: queue, confirm, decline, approve both
    practice/       settings, providers and locations, the audit trail; `practice` CLI
    staff/          staff accounts, sign-in, invitations and resets; `staff` CLI

Each feature has its routes, forms and queries together and registers its views on
`bp`.  Arrows: admin -> enrollment, audit, auth, outbox; never account."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app) -> None:
    from auth.login import register_kind

    from . import core  # noqa: F401  (guard, navigation, template helpers on bp)
    from .appointments import routes as _appointments  # noqa: F401  (views on bp)
    from .practice import routes as _practice, routes_audit as _audit  # noqa: F401
    from .practice.cli import practice_group
    from .requests import routes as _requests, routes_detail as _detail  # noqa: F401
    from .staff import routes as _staff, routes_signin as _signin  # noqa: F401
    from .staff.accounts import load_staff
    from .staff.cli import staff_group
    register_kind("staff", load_staff, idle_config="STAFF_IDLE_MINUTES",
                  login_endpoint="admin.login", blueprints=("admin",))
    app.register_blueprint(bp)
    app.cli.add_command(practice_group)
    app.cli.add_command(staff_group)
