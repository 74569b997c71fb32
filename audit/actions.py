"""THE table of audit action codes and their labels: every code recorded anywhere is
here (audit.record refuses any other), and the audit trail page shows these labels.
A code is at most 20 characters (audit_event.action).  The table is read-only: a new
code is a line here, never an update from elsewhere."""
from types import MappingProxyType

from flask_babel import lazy_gettext as _l

# Enrollment requests (admin/requests, and the patient's answer in account/)
VIEWED, APPROVED, REJECTED = "viewed", "approved", "rejected"
NEEDS_INFO, RESUBMITTED = "needs_info", "resubmitted"
# What staff were shown (one row per page: detail "status=pending page=1 ids=3-7,9";
# a search: "by=name found=3 ids=..."; VIEWED: "duplicates=12,15").  Never search terms.
QUEUE_VIEWED, SEARCHED, APPTS_VIEWED = "queue_viewed", "searched", "appts_viewed"
# Appointment requests (admin/appointments)
APPT_APPROVED, APPT_DECLINED = "appt_approved", "appt_declined"
# The practice's settings, providers and locations (admin/practice)
SETTINGS_CHANGED = "settings_changed"
PROVIDER_ADDED, PROVIDER_RENAMED, PROVIDER_REMOVED = (
    "provider_added", "provider_renamed", "provider_removed")
LOCATION_ADDED, LOCATION_RENAMED, LOCATION_REMOVED = (
    "location_added", "location_renamed", "location_removed")
# Staff (admin/staff)
STAFF_INVITED, INVITATION_RESENT, JOINED = "staff_invited", "invitation_resent", "joined"
STAFF_DISABLED, STAFF_ACCESS_RESET = "staff_disabled", "staff_access_reset"
PASSWORD_RESET = "password_reset"
# The second factor (admin/staff/mfa.py): a recovery code used instead of the app's
# code; reset by an admin's button or by `flask staff reset-mfa` (recorded on the
# member's own row: no staff member did it).
RECOVERY_CODE_USED = "recovery_code_used"
MFA_RESET, MFA_RESET_CLI = "mfa_reset", "mfa_reset_cli"
# The desk and a request waiting for its email confirmation (admin/requests/unconfirmed.py):
# the link sent again, the address corrected (never the address itself in the row).
LINK_RESENT, EMAIL_CORRECTED = "link_resent", "email_corrected"

ACTIONS = MappingProxyType({
    VIEWED: _l("Viewed the request"),
    QUEUE_VIEWED: _l("Listed requests"),
    SEARCHED: _l("Searched the requests"),
    APPTS_VIEWED: _l("Listed appointment requests"),
    APPROVED: _l("Approved"),
    REJECTED: _l("Rejected"),
    NEEDS_INFO: _l("Asked the patient for information"),
    RESUBMITTED: _l("The patient sent the request back, updated"),
    APPT_APPROVED: _l("Confirmed the appointment"),
    APPT_DECLINED: _l("Declined the appointment"),
    SETTINGS_CHANGED: _l("Changed the practice settings"),
    PROVIDER_ADDED: _l("Added a provider"),
    PROVIDER_RENAMED: _l("Renamed a provider"),
    PROVIDER_REMOVED: _l("Removed a provider"),
    LOCATION_ADDED: _l("Added a location"),
    LOCATION_RENAMED: _l("Renamed a location"),
    LOCATION_REMOVED: _l("Removed a location"),
    STAFF_INVITED: _l("Invited a staff member"),
    INVITATION_RESENT: _l("Sent a staff member's invitation again"),
    JOINED: _l("Joined (invitation used)"),
    STAFF_DISABLED: _l("Disabled a staff member"),
    STAFF_ACCESS_RESET: _l("Reset a staff member's access"),
    PASSWORD_RESET: _l("Reset their password"),
    RECOVERY_CODE_USED: _l("Signed in with a recovery code"),
    MFA_RESET: _l("Reset a staff member's two-factor sign-in"),
    MFA_RESET_CLI: _l("Two-factor sign-in reset from the command line"),
    LINK_RESENT: _l("Sent the email confirmation link again"),
    EMAIL_CORRECTED: _l("Corrected the email address (a new link sent to it)"),
})
