"""The patient after submission (blueprint "account"): sign-in, the status page and the
"needs information" loop, the account page, and recovery with the security questions.

Arrows: account -> enrollment, audit, auth, outbox; never admin; nothing imports
account."""
from flask import Blueprint

bp = Blueprint("account", __name__)


def init_app(app) -> None:
    from auth import credentials
    from auth.login import register_kind

    from . import models  # noqa: F401  (recovery_token)
    from . import recovery_jobs
    from . import routes, routes_corrections, routes_recovery  # noqa: F401  (views on bp)
    from .emails import queue_throttle_notice
    from .patients import load_patient
    register_kind("patient", load_patient, idle_config="PATIENT_IDLE_MINUTES",
                  lifetime_config="PATIENT_SESSION_HOURS",
                  login_endpoint="account.login", blueprints=("account",))
    credentials.register("patient", max_config="PATIENT_MAX_FAILED_LOGINS",
                         on_throttle=queue_throttle_notice)
    recovery_jobs.init_app(app)
    app.register_blueprint(bp)
