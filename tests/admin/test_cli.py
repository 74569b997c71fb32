"""`flask practice ...` and `flask staff ...`: real deployments without the demo."""
import sqlalchemy as sa

from admin.staff.models import StaffUser
from enrollment.models import Practice
from extensions import db
from tests.admin.conftest import PASSWORD, Staff
from tests.pages import inline_code


def _invoke(runner, *args, **kw):
    return runner.invoke(args=list(args), **kw)


def _practice(app, slug) -> Practice:
    with app.app_context():
        return db.session.execute(sa.select(Practice).where(Practice.slug == slug)
                                  .execution_options(populate_existing=True)).scalar_one()


def test_practice_create_list_update_deactivate(app, runner):
    made = _invoke(runner, "practice", "create", "lakeside", "--name", "Lakeside Clinic",
                   "--phone", "(312) 555-0100", "--email", "desk@lakeside.example",
                   "--timezone", "America/Chicago", "--appointments")
    assert made.exit_code == 0, made.output
    practice = _practice(app, "lakeside")
    assert practice.phone == "+13125550100" and practice.appointments_enabled
    assert practice.notify_new_requests and practice.rejection_reasons is None
    listed = _invoke(runner, "practice", "list").output
    assert "lakeside\tLakeside Clinic\tappointments on\tactive" in listed
    updated = _invoke(runner, "practice", "update", "lakeside", "--no-appointments",
                      "--name", "Lakeside Family Clinic", "--reasons", "duplicate")
    assert updated.exit_code == 0, updated.output
    practice = _practice(app, "lakeside")
    assert practice.name == "Lakeside Family Clinic" and not practice.appointments_enabled
    assert practice.rejection_reasons == ["duplicate"]
    assert _invoke(runner, "practice", "deactivate", "lakeside").exit_code == 0
    assert not _practice(app, "lakeside").active
    assert "inactive" in _invoke(runner, "practice", "list").output


def test_practice_create_checks_its_input(app, runner):
    base = ["practice", "create", "x", "--name", "X", "--phone", "(312) 555-0100",
            "--email", "a@x.example", "--timezone", "America/Chicago"]
    for flag, bad in [("--phone", "12"), ("--email", "not an address"),
                      ("--timezone", "Mars/Olympus")]:
        args = list(base)
        args[args.index(flag) + 1] = bad
        result = runner.invoke(args=args)
        assert result.exit_code != 0, (flag, result.output)
    assert _invoke(runner, *base).exit_code == 0
    assert "already exists" in _invoke(runner, *base).output
    assert _invoke(runner, "practice", "update", "x", "--reasons", "bogus").exit_code != 0
    assert _invoke(runner, "practice", "update", "nope", "--name", "Y").exit_code != 0


def test_staff_create_from_the_environment_or_a_prompt(app, runner, practices):
    env = {"PORTAL_STAFF_PASSWORD": PASSWORD}
    made = _invoke(runner, "staff", "create", "Ana@Riverside.example", "--practice",
                   "riverside-family", "--admin", env=env)
    assert made.exit_code == 0, made.output
    prompted = _invoke(runner, "staff", "create", "ben@riverside.example", "--practice",
                       "riverside-family", input=f"{PASSWORD}\n{PASSWORD}\n",
                       env={"PORTAL_STAFF_PASSWORD": ""})
    assert prompted.exit_code == 0, prompted.output
    assert PASSWORD not in prompted.output
    with app.app_context():
        rows = db.session.execute(sa.select(StaffUser).order_by(StaffUser.email)).scalars()
        rows = list(rows)
        assert [(s.email, s.role) for s in rows] == [("ana@riverside.example", "admin"),
                                                    ("ben@riverside.example", "staff")]
        assert all(s.password_hash.startswith("$argon2id$") for s in rows)
    listed = _invoke(runner, "staff", "list", "--practice", "riverside-family").output
    assert "ana@riverside.example\triverside-family\tadmin\tactive" in listed
    assert _invoke(runner, "staff", "disable", "ben@riverside.example").exit_code == 0
    assert "ben@riverside.example\triverside-family\tstaff\tdisabled" in _invoke(
        runner, "staff", "list").output
    assert _invoke(runner, "staff", "disable", "nobody@x.example").exit_code != 0


def test_staff_passwords_follow_the_policy(app, runner, practices):
    for password in ("short", "password1234", "riverside family medicine 1",
                     "ana-loves-lanterns-42"):
        result = _invoke(runner, "staff", "create", "ana@riverside.example", "--practice",
                         "riverside-family", env={"PORTAL_STAFF_PASSWORD": password})
        assert result.exit_code != 0 and "password refused" in result.output, password
    assert _invoke(runner, "staff", "create", "x@riverside.example", "--practice",
                   "nowhere", env={"PORTAL_STAFF_PASSWORD": PASSWORD}).exit_code != 0
    twice = ["staff", "create", "ana@riverside.example", "--practice", "riverside-family"]
    assert _invoke(runner, *twice, env={"PORTAL_STAFF_PASSWORD": PASSWORD}).exit_code == 0
    assert "already exists" in _invoke(runner, *twice,
                                       env={"PORTAL_STAFF_PASSWORD": PASSWORD}).output


def test_staff_of_a_deactivated_practice_cannot_sign_in(app, runner, make_staff):
    staff = make_staff(sign_in=False)
    _invoke(runner, "practice", "deactivate", "riverside-family")
    assert staff.sign_in().status_code == 422


def test_admin_pages_have_no_inline_code_and_a_strict_csp(app, make_staff, patient_request):
    req = patient_request(1)
    staff = make_staff(admin=True)
    pages = [staff.get("/admin/"), staff.get("/admin/", htmx=True),
             staff.get(f"/admin/requests/{req.id}"), staff.get("/admin/audit"),
             staff.post("/admin/search", {"by": "name", "q": "m"}, htmx=True),
             staff.post(f"/admin/requests/{req.id}/reject", {"reason": ""}, htmx=True),
             Staff(app.test_client(), "x").get("/admin/login")]
    for resp in pages:
        assert "script-src 'self';" in resp.headers["Content-Security-Policy"]
        assert inline_code(resp.get_data(as_text=True)) == [], resp.request.path
        assert resp.headers["Cache-Control"] == "no-store"
