"""Rule 8 for staff: an address is normalized (NFKC, lower case) and limited to ASCII,
at every door (invite, `staff create`, sign-in, "forgot"), so no two staff addresses
can look alike and a full-width or capital variant is the same address."""
import sqlalchemy as sa

from admin.staff.models import StaffUser
from extensions import db
from tests.admin.conftest import PASSWORD, Staff, create_staff

CYRILLIC_A = "\u0430"                         # looks like "a"
FULL_WIDTH_ADA = "\uff21\uff24\uff21"         # "ＡＤＡ"


def addresses(app) -> list:
    with app.app_context():
        return sorted(db.session.execute(sa.select(StaffUser.email)).scalars())


def test_an_invitation_to_a_lookalike_address_is_refused(app, practices, make_staff):
    admin = make_staff("ada@riverside.example", admin=True)
    resp = admin.post("/admin/staff/invite", {"email": f"{CYRILLIC_A}da@riverside.example",
                                              "role": "staff"})
    assert resp.status_code == 422
    assert "plain letters (a to z)" in resp.get_data(as_text=True)
    resp = admin.post("/admin/staff/invite", {"email": f"{FULL_WIDTH_ADA}@riverside.example",
                                              "role": "staff"})
    assert resp.status_code == 422 and "already has an account" in resp.get_data(as_text=True)
    resp = admin.post("/admin/staff/invite", {"email": "\uff2e\uff25\uff37@Riverside.example",
                                              "role": "staff"})
    assert resp.status_code == 303
    assert addresses(app) == ["ada@riverside.example", "new@riverside.example"]


def test_staff_create_refuses_a_lookalike_and_normalizes_the_rest(app, runner, practices):
    result = runner.invoke(args=["staff", "create", f"{CYRILLIC_A}da@riverside.example",
                                 "--practice", "riverside-family"],
                           env={"PORTAL_STAFF_PASSWORD": PASSWORD})
    assert result.exit_code != 0 and "ASCII" in result.output
    create_staff(runner, f"{FULL_WIDTH_ADA}@Riverside.Example")
    assert addresses(app) == ["ada@riverside.example"]


def test_sign_in_and_forgot_take_any_form_of_the_same_address(app, practices, make_staff):
    make_staff("ada@riverside.example", sign_in=False)
    variant = Staff(app.test_client(), f" {FULL_WIDTH_ADA}@RIVERSIDE.example ")
    assert variant.sign_in().status_code == 303
    lookalike = Staff(app.test_client(), f"{CYRILLIC_A}da@riverside.example")
    assert lookalike.sign_in_password().status_code == 422


def test_forgot_counts_every_form_of_an_address_as_one(app, practices, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_FORGOT_LIMIT", "2 per hour")
    codes = []
    for n, typed in enumerate(("ada@riverside.example", "ADA@riverside.example",
                               f"{FULL_WIDTH_ADA}@riverside.example")):
        person = Staff(app.test_client(), "")
        person.client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"
        person.get("/admin/forgot")
        codes.append(person.post("/admin/forgot", {"email": typed}).status_code)
    assert codes == [200, 200, 429]
