"""Reading encrypted columns as stored: the tokens themselves, never decrypted."""
import sqlalchemy as sa

import crypto
from extensions import db


def tokens(metadata: sa.MetaData) -> dict:
    """{table: [(primary key, column, token)]} for every non-empty encrypted value."""
    found = {}
    for name, columns in crypto.encrypted_columns(metadata).items():
        table = metadata.tables[name]
        (pk,) = table.primary_key.columns
        rows = db.session.execute(sa.select(
            pk, *[sa.type_coerce(table.c[c], sa.Text).label(c) for c in columns])).all()
        found[name] = [(row[0], column, value) for row in rows
                       for column, value in zip(columns, row[1:]) if value]
    return found


# What a patient types that retention must delete: insurance and a visit's reason.
MEMBER_ID, REASON = "QMZ48150162", "Persistent migraine with aura"
INSURANCE = {"carrier": "Blue Prairie PPO", "member_id": MEMBER_ID, "group_number": "G-7781",
             "subscriber_name": "Rosalind Quenby", "relationship": "spouse",
             "claim_street": "PO Box 1000", "claim_line2": "", "claim_city": "Chicago",
             "claim_state": "IL", "claim_zip": "60601"}


def enroll_with_everything(app, practice_id: int, n: int) -> None:
    """Through the wizard: insurance and an appointment request; patient{n}@example.org."""
    from tests.wizard import GOOD, Patient
    patient = Patient(app.test_client())
    patient.complete_through(
        "security", practice_id, insurance=INSURANCE,
        personal={**GOOD["personal"], "email": f"patient{n}@example.org"},
        credentials={**GOOD["credentials"], "username": f"keep-user{n}"})
    assert patient.step("review", GOOD["review"], action="appointment").status_code == 303
    patient.get("/enroll/appointment")
    resp = patient.post("/enroll/appointment", {"reason": REASON, "days": ["mon"],
                                                "times": ["morning"], "action": "next"})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
