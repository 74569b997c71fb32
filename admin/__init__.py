"""The staff dashboard: ONE blueprint ("admin", /admin), split by feature.

    core.py         the guard (staff_required, admin_required), no-store, navigation,
                    template helpers, the forms' base and a queue's Page
    requests/       enrollment requests: queue, search, detail, decisions, duplicates,
                    needs information
    appointments/   appointment requests: queue, confirm, decline, approve both
    practice/       settings, providers and locations, the audit trail; `practice` CLI
    staff/          staff accounts, sign-in with a second factor, invitations and
                    resets; `staff` CLI

Each feature has its routes, forms and queries together and registers its views on
`bp`.  Inside: every feature uses core and staff's StaffUser; appointments build on a
request's page and its approval (requests), and a rejected request closes its pending
appointment (appointments.decisions.close_with_enrollment).  Outside: admin ->
enrollment, audit, auth, outbox; never account."""
from importlib import import_module

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The modules that register views (and template helpers) on bp.
VIEWS = ("core", "requests.routes", "requests.routes_detail",
         "requests.routes_unconfirmed", "appointments.routes",
         "practice.routes", "practice.routes_audit", "staff.routes_signin",
         "staff.routes_mfa", "staff.routes")


def init_app(app) -> None:
    from auth import credentials
    from auth.login import register_kind
    from outbox import register_job

    from .practice.cli import practice_group
    from .staff import invitations
    from .staff.accounts import load_staff
    from .staff.cli import staff_group
    for name in VIEWS:
        import_module(f"{__name__}.{name}")
    register_kind("staff", load_staff, idle_config="STAFF_IDLE_MINUTES",
                  lifetime_config="STAFF_SESSION_HOURS",
                  login_endpoint="admin.login", blueprints=("admin",))
    credentials.register("staff", max_config="STAFF_MAX_FAILED_LOGINS",
                         on_throttle=invitations.queue_throttle_notice)
    register_job(app, invitations.FORGOT, invitations.send_forgotten_link)
    app.register_blueprint(bp)
    app.cli.add_command(practice_group)
    app.cli.add_command(staff_group)
