"""What the database and the cookie jar hold, read from tests."""
import hashlib

import sqlalchemy as sa

from extensions import db

COOKIE_PATH = "/enroll"


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name, path=COOKIE_PATH)
    return found.value if found else None


def draft_of(app, client):
    """The Draft row behind the client's draft cookie (None when there is none)."""
    from enrollment.models import Draft
    token = cookie(client, "enroll_draft")
    if token is None:
        return None
    with app.app_context():
        draft = db.session.get(Draft, hashlib.sha256(token.encode()).hexdigest())
        if draft is not None:
            db.session.expunge(draft)
        return draft


def count(app, model, *where) -> int:
    with app.app_context():
        query = sa.select(sa.func.count()).select_from(model)
        for clause in where:
            query = query.where(clause)
        return db.session.execute(query).scalar_one()


def all_rows(app, model) -> list:
    with app.app_context():
        rows = db.session.execute(sa.select(model)).scalars().all()
        for row in rows:
            db.session.expunge(row)
        return rows


def update_draft(app, draft_id: str, **values) -> None:
    from enrollment.models import Draft
    with app.app_context():
        db.session.execute(sa.update(Draft).where(Draft.id == draft_id).values(**values))
        db.session.commit()
