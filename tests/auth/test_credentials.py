"""The one sign-in core (auth.credentials), as staff and patients meet it through their
real sign-in forms: a hash made cheaper than the configured argon2 cost is replaced on
a right password (and only then), a stronger one is kept, and the failure counter is
the same for both kinds."""
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, Type, extract_parameters

from admin.staff.models import StaffUser
from database import write_transaction
from enrollment.models import PatientAccount
from extensions import db
from tests.account.conftest import PASSWORD as PATIENT_PASSWORD
from tests.admin.conftest import PASSWORD as STAFF_PASSWORD

# The suite's configured cost is tests/conftest.py's CHEAP_ARGON2 (t=1, m=64, p=1).
CHEAPER = PasswordHasher(time_cost=1, memory_cost=32, parallelism=1, type=Type.ID)
STRONGER = PasswordHasher(time_cost=2, memory_cost=128, parallelism=1, type=Type.ID)
OLD_TYPE = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1, type=Type.I)


class Person:
    """A staff member or a patient: their browser, table, row and sign-in answers."""

    def __init__(self, browser, model, where, password, refused):
        self.browser, self.model, self.where = browser, model, where
        self.password, self.refused = password, refused

    def row(self, app):
        with app.app_context():
            return db.session.execute(sa.select(self.model).where(self.where)
                                      .execution_options(populate_existing=True)).scalar_one()

    def set_hash(self, app, password_hash: str) -> None:
        with app.app_context(), write_transaction():
            db.session.execute(sa.update(self.model).where(self.where)
                               .values(password_hash=password_hash))

    def sign_in(self, password=None):
        return self.browser.sign_in(password or self.password).status_code


@pytest.fixture(params=["staff", "patient"])
def person(request, make_staff, patient) -> Person:
    if request.param == "staff":
        staff = make_staff(sign_in=False)
        return Person(staff, StaffUser, StaffUser.email == staff.email, STAFF_PASSWORD, 422)
    user = patient(sign_in=False)
    return Person(user, PatientAccount, PatientAccount.username == user.username,
                  PATIENT_PASSWORD, 401)


def _cost(password_hash: str) -> tuple:
    p = extract_parameters(password_hash)
    return p.type, p.time_cost, p.memory_cost, p.parallelism


def _configured(app) -> tuple:
    cfg = app.config
    return (Type.ID, cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"],
            cfg["ARGON2_PARALLELISM"])


@pytest.mark.parametrize("weaker", [CHEAPER, OLD_TYPE], ids=["less-memory", "argon2i"])
def test_a_weaker_hash_is_upgraded_on_sign_in(app, person, weaker):
    old_hash = weaker.hash(person.password)
    person.set_hash(app, old_hash)
    assert _cost(old_hash) != _configured(app)
    assert person.sign_in() == 303
    stored = person.row(app).password_hash
    assert stored != old_hash and _cost(stored) == _configured(app)
    assert PasswordHasher().verify(stored, person.password)   # the same password
    assert person.sign_in() == 303 and person.row(app).password_hash == stored


def test_a_wrong_password_changes_no_hash_and_counts(app, person):
    old_hash = CHEAPER.hash(person.password)
    person.set_hash(app, old_hash)
    assert person.sign_in("not the password at all") == person.refused
    row = person.row(app)
    assert row.password_hash == old_hash and row.failed_logins == 1
    assert person.sign_in() == 303
    row = person.row(app)
    assert _cost(row.password_hash) == _configured(app) and row.failed_logins == 0


def test_a_stronger_hash_is_kept(app, person):
    strong = STRONGER.hash(person.password)
    person.set_hash(app, strong)
    assert person.sign_in() == 303
    assert person.row(app).password_hash == strong


def test_a_locked_account_keeps_its_hash_even_with_the_right_password(app, person):
    old_hash = CHEAPER.hash(person.password)
    person.set_hash(app, old_hash)
    limit = ("STAFF_MAX_FAILED_LOGINS" if person.model is StaffUser
             else "PATIENT_MAX_FAILED_LOGINS")
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(person.model).where(person.where)
                           .values(failed_logins=app.config[limit]))
    assert person.sign_in() == person.refused
    assert person.row(app).password_hash == old_hash
