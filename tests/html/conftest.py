"""The fixtures of tests/account (patients, staff, the SMTP server) for the HTML check."""
from tests.account.conftest import (  # noqa: F401  (fixtures)
    fresh_limits, make_staff, patient, patient_request, smtp)
