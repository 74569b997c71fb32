"""Bad input of any kind on the patient pages: a clear 4xx, never a 500, nothing saved."""
import pytest

from tests.account.conftest import PASSWORD, account_of
from tests.account.test_corrections import ask, request_row

JUNK = ["x" * 5000, "a\x00b", "%ff\r\n", "<script>alert(1)</script>", "\u202e\ufeff"]


@pytest.mark.parametrize("junk", JUNK)
def test_sign_in_with_junk_is_a_4xx(patient, junk):
    user = patient(sign_in=False)
    user.get("/login")
    resp = user.post("/login", {"username": junk, "password": junk})
    assert 400 <= resp.status_code < 500
    assert "<script>alert" not in resp.get_data(as_text=True)


@pytest.mark.parametrize("junk", JUNK)
def test_corrections_and_changes_with_junk_are_4xx_and_save_nothing(app, patient,
                                                                  make_staff, junk):
    user = patient()
    ask(make_staff(), user.request_id, ("personal", "insurance"))
    before = request_row(app, user.request_id)
    for name in ("personal", "insurance"):
        user.get(f"/status/correct/{name}")
        resp = user.post(f"/status/correct/{name}", {
            "first_name": junk, "last_name": junk, "date_of_birth": junk, "email": junk,
            "phone": junk, "state": junk, "carrier": junk, "member_id": junk,
            "relationship": junk, "claim_state": junk})
        assert resp.status_code == 422, (name, resp.status_code)
    after = request_row(app, user.request_id)
    assert (after.first_name, after.date_of_birth, after.email, after.insurance_carrier) == \
        (before.first_name, before.date_of_birth, before.email, before.insurance_carrier)
    assert user.get(f"/status/correct/{junk[:50]}").status_code == 404


def test_a_body_over_the_limit_is_a_413(patient):
    user = patient()
    resp = user.post("/login", {"username": "x" * (70 * 1024), "password": PASSWORD})
    assert resp.status_code == 413
    assert account_of(user.client.application, user.username).failed_logins == 0
