"""The staff and patients of tests/admin (signed-in staff, patients who enrolled through
the wizard), for the upkeep commands' tests."""
from tests.admin.conftest import (fresh_limits, make_staff,  # noqa: F401  (fixtures)
                                  patient_request, smtp)
