"""Staff and patients, as tests/admin and tests/account make them (the sign-in core is
theirs alike)."""
from tests.account.conftest import (  # noqa: F401  (fixtures)
    fresh_limits, make_staff, patient, patient_request, smtp)
