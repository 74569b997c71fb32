"""Demo practices for `flask --app app seed-demo`: idempotent, every field filled."""
import sqlalchemy as sa

from database import write_transaction
from extensions import db

from .models import Location, Practice, Provider

PRACTICES = [
    {"slug": "riverside-family", "name": "Riverside Family Medicine",
     "street": "120 River Road", "city": "Springfield", "state": "IL", "zip_code": "62701",
     "phone": "+12175550142", "reply_to": "frontdesk@riverside.example",
     "timezone": "America/Chicago", "appointments_enabled": True,
     "providers": ["Dr. Ana Ortiz", "Dr. Samuel Lee", "Priya Nair, NP"],
     "locations": [("Main clinic", "120 River Road, Springfield, IL 62701"),
                   ("Westside office", "88 Lake Avenue, Springfield, IL 62704")]},
    {"slug": "hillcrest-internal", "name": "Hillcrest Internal Medicine",
     "street": "45 Hill Street, Suite 200", "city": "Portland", "state": "OR",
     "zip_code": "97205", "phone": "+15035550178", "reply_to": "office@hillcrest.example",
     "timezone": "America/Los_Angeles", "appointments_enabled": False,
     "providers": ["Dr. Grace Kim", "Dr. Tomas Silva"],
     "locations": [("Hillcrest clinic", "45 Hill Street, Suite 200, Portland, OR 97205")]},
]


def seed() -> int:
    """Create each demo practice that is missing; returns how many were created."""
    created = 0
    with write_transaction():
        for spec in PRACTICES:
            exists = db.session.execute(
                sa.select(Practice.id).where(Practice.slug == spec["slug"])).first()
            if exists:
                continue
            fields = {k: v for k, v in spec.items() if k not in ("providers", "locations")}
            practice = Practice(**fields)
            practice.providers = [Provider(name=n) for n in spec["providers"]]
            practice.locations = [Location(name=n, address=a) for n, a in spec["locations"]]
            db.session.add(practice)
            created += 1
    return created
