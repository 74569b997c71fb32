"""Migration 0013 on existing rows: every request, account and staff member gets the
keyed hash of its address or username (as the app computes it, with PORTAL_INDEX_KEY),
a confirmed address stays confirmed and an unconfirmed one does not read confirmed,
an unused link is bound to its request's address, and every request gets a reference
of its own.  Stepping down to 0012 keeps every row."""
import json
import subprocess
import sys
from pathlib import Path

from tests.test_migrations import _env

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import json
from datetime import datetime
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from app import create_app
from extensions import db
import crypto
from enrollment.models import EmailConfirmation, EnrollmentRequest, PatientAccount
from enrollment.references import is_reference
from admin.staff.models import StaffUser
app = create_app()
T = "2026-11-20 09:30:00"
ROWS = [
    "INSERT INTO practice (id, slug, name, street, city, state, zip_code, phone, reply_to,"
    " timezone, appointments_enabled, active, created_at, notify_new_requests)"
    " VALUES (1, 'p', 'P', '', '', '', '', '', '', 'America/Chicago', 0, 1, '" + T + "', 1)",
    "INSERT INTO staff_user (id, practice_id, email, password_hash, role, active,"
    " created_at, failed_logins) VALUES (1, 1, 'ana@p.example', 'x', 'admin', 1, '" + T
    + "', 0)",
    "INSERT INTO patient_account (id, practice_id, username, password_hash, active, locale,"
    " created_at, failed_logins, recovery_failures) VALUES (1, 1, 'mariad84', 'x', 0, 'en',"
    " '" + T + "', 0, 0), (2, 1, 'jo-smith', 'x', 0, 'en', '" + T + "', 0, 0)",
]
for n, (email, confirmed) in enumerate([("Maria@Example.org", True),
                                        ("jo@example.org", False)], 1):
    ROWS.append(
        "INSERT INTO enrollment_request (id, practice_id, account_id, status, locale,"
        " first_name, middle_name, last_name, street, line2, city, state, zip_code, phone,"
        " date_of_birth, email, insurance_carrier, insurance_member_id, insurance_group,"
        " subscriber_name, subscriber_relationship, claim_street, claim_line2, claim_city,"
        " claim_state, claim_zip, terms_version, terms_accepted_at, email_consent_at,"
        " created_at, email_confirmed_at) VALUES (%d, 1, %d, 'pending', 'en', 'A', '', 'B',"
        " '1 St', '', 'C', 'IL', '62701', '+12175550100', '1980-01-01', '%s', '', '', '', '',"
        " '', '', '', '', '', '', '1', '%s', '%s', '%s', %s)"
        % (n, n, email, T, T, T, "'" + T + "'" if confirmed else "NULL"))
    ROWS.append("INSERT INTO email_confirmation (request_id, token_hash, created_at,"
                " expires_at) VALUES (%d, '%s', '%s', '2026-11-23 09:30:00')"
                % (n, str(n) * 64, T))
with app.app_context():
    upgrade(revision="0012")
    with db.engine.begin() as conn:
        for sql in ROWS:
            conn.execute(sa.text(sql))
    upgrade()
    db.session.remove()
    out = {}
    for req in db.session.execute(sa.select(EnrollmentRequest).order_by(
            EnrollmentRequest.id)).scalars():
        link = db.session.execute(sa.select(EmailConfirmation).where(
            EmailConfirmation.request_id == req.id)).scalar_one()
        out[req.email] = {"hash_ok": req.email_hash == crypto.name_hash(req.email.lower()),
                          "confirmed": req.email_confirmed, "reference": req.reference,
                          "reference_ok": is_reference(req.reference),
                          "link_bound": link.email_hash == req.email_hash}
    out["accounts"] = all(a.username_hash == crypto.name_hash(a.username) for a in
                          db.session.execute(sa.select(PatientAccount)).scalars())
    out["staff"] = all(s.email_hash == crypto.name_hash(s.email) for s in
                       db.session.execute(sa.select(StaffUser)).scalars())
    db.session.remove()
    downgrade(revision="0012")
    with db.engine.connect() as conn:
        out["after_down"] = [conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                             for t in ("enrollment_request", "email_confirmation",
                                       "patient_account", "staff_user")]
        out["confirmed_at_kept"] = conn.execute(sa.text(
            "SELECT count(*) FROM enrollment_request WHERE email_confirmed_at IS NOT NULL"
        )).scalar()
print("OUT " + json.dumps(out))
"""


def test_0013_fills_the_hashes_references_and_bindings_of_existing_rows(tmp_path):
    url = "sqlite:///" + str(tmp_path / "0013.db")
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=_env(url),
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = [x for x in result.stdout.splitlines() if x.startswith("OUT ")]
    out = json.loads(line[4:])
    maria, jo = out["Maria@Example.org"], out["jo@example.org"]
    assert maria == {"hash_ok": True, "confirmed": True, "reference": maria["reference"],
                     "reference_ok": True, "link_bound": True}
    assert jo["hash_ok"] and jo["reference_ok"] and jo["link_bound"]
    assert jo["confirmed"] is False
    assert maria["reference"] != jo["reference"]
    assert out["accounts"] is True and out["staff"] is True
    assert out["after_down"] == [2, 2, 2, 1] and out["confirmed_at_kept"] == 1
