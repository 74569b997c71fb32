"""Migration 0010 (enrollment_request.step_values): its downgrade stops, with a clear
message, while a request holds values of an added step, and drops the column once none
does."""
import subprocess
import sys
from pathlib import Path

from tests.test_migrations import _env

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
from datetime import date, datetime
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from app import create_app
from extensions import db
from enrollment.models import EnrollmentRequest, Practice
app = create_app()
with app.app_context():
    upgrade()
    practice = Practice(slug="p", name="P")
    now = datetime(2026, 12, 1)
    req = EnrollmentRequest(practice=practice, first_name="A", last_name="B", street="1 St",
                            city="C", state="IL", zip_code="62701", phone="+12175550100",
                            date_of_birth=date(1980, 1, 1), email="a@example.org",
                            terms_version="1", terms_accepted_at=now, email_consent_at=now)
    req.step_values = {"emergency": {"contact_name": "Ada"}}
    db.session.add_all([practice, req])
    db.session.commit()
    try:
        downgrade(revision="0009")
    except SystemExit as exc:   # flask_migrate logs the error and exits, as the CLI does
        print("REFUSED:", exc.code)
    db.session.remove()
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("enrollment_request")}
    print("KEPT:", "step_values" in columns)
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE enrollment_request SET step_values = NULL"))
    downgrade(revision="0009")
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("enrollment_request")}
    print("DROPPED:", "step_values" not in columns, db.session.execute(
        sa.text("SELECT first_name FROM enrollment_request")).scalar())
"""


def test_downgrade_keeps_added_steps_values_and_says_why(tmp_path):
    url = "sqlite:///" + str(tmp_path / "downgrade.db")
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=_env(url),
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "REFUSED: 1" in result.stdout
    assert ("Error: 1 enrollment request(s) hold values of added wizard steps in "
            "enrollment_request.step_values; downgrading below 0010 would lose them."
            ) in result.stderr
    assert "KEPT: True" in result.stdout
    assert "DROPPED: True A" in result.stdout
