"""Staff and limits as tests/admin has them (a staff member decides in the walks)."""
from tests.admin.conftest import fresh_limits, make_staff  # noqa: F401  (fixtures)
