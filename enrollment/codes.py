"""Codes, not text: what is stored is the code; the label is translatable, here."""
from flask_babel import lazy_gettext as _l

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "AS": "American Samoa",
    "GU": "Guam", "MP": "Northern Mariana Islands", "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
}
# State names are proper nouns: shown as they are in every language.
STATE_CHOICES = [("", _l("Choose a state"))] + sorted(US_STATES.items(), key=lambda kv: kv[1])

RELATIONSHIPS = {
    "self": _l("Self"),
    "spouse": _l("Spouse or partner"),
    "child": _l("Child"),
    "parent": _l("Parent"),
    "other": _l("Other"),
}

SECURITY_QUESTIONS = {
    "first_school": _l("What was the name of your first school?"),
    "childhood_friend": _l("What is the first name of your childhood best friend?"),
    "first_pet": _l("What was the name of your first pet?"),
    "birth_city": _l("In what city or town were you born?"),
    "first_job": _l("What was your first job?"),
    "first_car": _l("What was the make of your first car?"),
    "favourite_teacher": _l("What was the last name of your favourite teacher?"),
    "parents_met": _l("In what city or town did your parents meet?"),
    "first_street": _l("What was the name of the street you grew up on?"),
    "childhood_hero": _l("Who was your childhood hero?"),
    "favourite_book": _l("What is the title of your favourite childhood book?"),
    "first_concert": _l("What was the first concert you went to?"),
    "oldest_cousin": _l("What is the first name of your oldest cousin?"),
    "wedding_city": _l("In what city or town were you married?"),
}

# What the username and password policy found (enrollment/policy.py returns the codes).
POLICY_MESSAGES = {
    "username_length": _l("Use %(min)d to %(max)d characters for your username."),
    "username_chars": _l("Use only letters, digits and . _ - @ in your username."),
    "username_taken": _l("That username is taken. Try another."),
    "password_short": _l("Use at least %(min)d characters for your password."),
    "password_long": _l("Use %(max)d characters or fewer for your password."),
    "password_common": _l("That password is too common. Try a short sentence only you "
                          "would write."),
    "password_username": _l("Your password must not contain your username."),
    "password_name": _l("Your password must not contain your name."),
    "password_practice": _l("Your password must not contain the practice name."),
    "password_answer": _l("Your password must not be one of your security answers."),
    "password_again": _l("Enter your password again: you changed your username or name."),
    "password_required": _l("Enter a password."),
    "confirm_mismatch": _l("The passwords do not match. Type the same password twice."),
}


def policy_message(code: str, params: dict) -> str:
    return str(POLICY_MESSAGES[code] % params) if params else str(POLICY_MESSAGES[code])


WEEKDAYS = {
    "mon": _l("Monday"), "tue": _l("Tuesday"), "wed": _l("Wednesday"),
    "thu": _l("Thursday"), "fri": _l("Friday"), "sat": _l("Saturday"),
}
DAY_PARTS = {"morning": _l("Morning"), "afternoon": _l("Afternoon"), "evening": _l("Evening")}

# Status of an enrollment or appointment request.
# NEEDS_INFO: staff asked the patient for corrections; resubmitting makes it PENDING again.
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
NEEDS_INFO = "needs_info"
STATUSES = {PENDING: _l("Pending approval"), NEEDS_INFO: _l("Needs information"),
            APPROVED: _l("Approved"), REJECTED: _l("Rejected")}

# Why a practice turns a request down: this fixed set, shown to the patient in the
# rejection email; each practice chooses which of them it offers its staff.
REJECTION_REASONS = {
    "not_a_patient": _l("We could not find you among the practice's patients."),
    "details_mismatch": _l("The details you gave do not match the practice's records."),
    "identity_unverified": _l("The practice could not confirm your identity from the "
                              "details you gave."),
    "duplicate": _l("You already have a portal account or another request with the "
                    "practice."),
    "not_accepting": _l("The practice is not enrolling new portal users at the moment."),
    "contact_practice": _l("The practice needs to speak with you about your request."),
}


# An appointment request: pending, approved (a confirmed time) or declined (a reason).
DECLINED = "declined"
APPOINTMENT_STATUSES = {PENDING: _l("Pending"), APPROVED: _l("Confirmed"),
                        DECLINED: _l("Declined")}

# Why a practice cannot book a requested appointment: this fixed set, shown to the
# patient in the email.  Never anything about the visit's reason or the patient's health.
APPOINTMENT_DECLINE_REASONS = {
    "no_availability": _l("The practice has no appointment free at the times you asked "
                          "for."),
    "provider_unavailable": _l("The provider you asked for is not available."),
    "not_offered": _l("The practice does not offer this kind of visit."),
    "call_practice": _l("The practice needs to speak with you before booking this visit."),
    "enrollment_not_approved": _l("Your portal enrollment could not be approved, so the "
                                  "appointment request could not go ahead."),
}


def choices(table: dict, blank=None) -> list:
    items = list(table.items())
    return ([("", blank)] if blank is not None else []) + items
