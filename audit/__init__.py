"""The audit trail: the append-only table (models), THE table of action codes and
their labels (actions), and ONE way to write a row (trail.record) and to read them.

    import audit
    with write_transaction():
        ...the change...
        audit.record(current_user, audit.APPROVED, req.id, detail=reason)
    audit.shown(current_user, audit.QUEUE_VIEWED, status="pending", ids=[3, 4, 9])

Imports no blueprint (only auth's clock, database, extensions and Flask): admin/ and account/
record through it; nothing registers codes or labels by being imported."""
from .actions import (
    VIEWED, APPROVED, REJECTED, NEEDS_INFO, RESUBMITTED, APPT_APPROVED,
    APPT_DECLINED, SETTINGS_CHANGED, PROVIDER_ADDED, PROVIDER_RENAMED,
    PROVIDER_REMOVED, LOCATION_ADDED, LOCATION_RENAMED, LOCATION_REMOVED,
    STAFF_INVITED, INVITATION_RESENT, JOINED, STAFF_DISABLED, STAFF_ACCESS_RESET,
    PASSWORD_RESET, RECOVERY_CODE_USED, MFA_RESET, MFA_RESET_CLI, ACTIONS)
from .actions import APPTS_VIEWED, QUEUE_VIEWED, SEARCHED
from .actions import EMAIL_CORRECTED, LINK_RESENT
from .models import AuditEvent, AuditIsAppendOnly
from .trail import PAGE, client_address, events, record
from .trail import Filters, compact_ids, detail_of, expand_ids, fields_of, shown

__all__ = [
    "ACTIONS", "APPROVED", "APPT_APPROVED", "APPT_DECLINED", "AuditEvent",
    "AuditIsAppendOnly", "INVITATION_RESENT", "JOINED", "LOCATION_ADDED",
    "LOCATION_REMOVED", "LOCATION_RENAMED", "MFA_RESET", "MFA_RESET_CLI",
    "NEEDS_INFO", "PAGE", "PASSWORD_RESET", "PROVIDER_ADDED", "PROVIDER_REMOVED",
    "PROVIDER_RENAMED", "RECOVERY_CODE_USED", "REJECTED",
    "RESUBMITTED", "SETTINGS_CHANGED", "STAFF_ACCESS_RESET", "STAFF_DISABLED",
    "STAFF_INVITED", "VIEWED", "client_address", "events", "record"]
__all__ += ["EMAIL_CORRECTED", "LINK_RESENT"]
__all__ += ["APPTS_VIEWED", "Filters", "QUEUE_VIEWED", "SEARCHED", "compact_ids", "detail_of",
            "expand_ids", "fields_of", "shown"]
