"""Field helpers shared by the step forms: trimming, length, control characters and
text that looks like something else, US states, ZIP codes, phone numbers, patients'
email addresses."""
import unicodedata
from datetime import date, datetime

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import get_locale, lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import (DataRequired, InputRequired, Length, Optional, Regexp,
                                ValidationError)

from .codes import STATE_CHOICES

ZIP = Regexp(r"^\d{5}(-\d{4})?$", message=_l("Enter a 5-digit ZIP code, like 12345."))


# Text that looks like something else (README, "Limits" and "Input").
# Invisible characters, dropped without a word: they change nothing a reader sees, and
# a patient could not find them to remove them.  The soft hyphen, the Mongolian vowel
# separator, the zero-width space, the word joiner and the invisible operators, the
# byte-order mark; and the directional marks (LRM, RLM, ALM), which some phone
# keyboards insert by themselves.
INVISIBLE = frozenset("\u00ad\u180e\u200b\u2060\u2061\u2062\u2063\u2064\ufeff"
                      "\u200e\u200f\u061c")
# Bidirectional embeddings, overrides and isolates: they reorder what follows them (a
# name that reads differently than it is stored): refused, with a message.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The joiners real names use (Persian, Hindi, Sinhala...): kept.
JOINERS = frozenset("\u200c\u200d")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def drop_invisible(value):
    """The text without INVISIBLE characters (a filter: before validation)."""
    if not isinstance(value, str):
        return value
    return "".join(c for c in value if c not in INVISIBLE)


class NoControlChars:
    """Refuse NUL and other control characters (line breaks only where allowed), the
    bidirectional controls (their own message), and any other format character but
    the joiners (what is invisible and harmless was dropped before: drop_invisible)."""

    def __init__(self, multiline: bool = False):
        self.allowed = {"\n", "\r", "\t", "\u2028", "\u2029"} if multiline else set()

    def __call__(self, form, field):
        value = field.data if isinstance(field.data, str) else ""
        special = _l("Remove the special characters from this field.")
        if any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") and c not in self.allowed
               for c in value):
            raise ValidationError(special)
        if any(c in BIDI_CONTROLS for c in value):
            raise ValidationError(_l("This field holds hidden characters that change the "
                                     "direction of the text. Type it again rather than "
                                     "pasting it."))
        if any(unicodedata.category(c) == "Cf" and c not in JOINERS for c in value):
            raise ValidationError(special)


def patient_address(value: str) -> str:
    """A patient's email address, normalised (a validator's helper).  Characters
    beyond ASCII before the @ only when MAIL_SMTPUTF8 says the SMTP server carries
    them; without it, a domain beyond ASCII is kept in its ASCII (IDNA) form, which
    every server carries."""
    smtputf8 = current_app.config["MAIL_SMTPUTF8"]
    try:
        found = validate_email(value or "", check_deliverability=False,
                               allow_smtputf8=smtputf8)
    except EmailNotValidError:
        local = (value or "").rpartition("@")[0]
        if not smtputf8 and not local.isascii():
            raise ValidationError(_l(
                "Our mail server cannot deliver to the letters you typed before the @. "
                "Use an address with plain letters (a to z), digits and . _ - + there."
            )) from None
        raise ValidationError(_l("Enter an email address like name@example.com.")) from None
    return found.normalized if smtputf8 else found.ascii_email


class Needed:
    """No check of its own: it marks a field that may be blank at times but is not
    optional in every case (a security answer kept from before; an insurance field a
    plan needs).  The field macro writes "(optional)" only on fields without it and
    without `required`."""
    field_flags = {"needed": True}

    def __call__(self, form, field):
        return None


MAXLENGTH_TYPES = ("text", "email", "password", "search", "tel", "url")


def text(label, max_len: int, required=None, autocomplete: str = "off", multiline=False,
         needed: bool = False, **render_kw):
    """A trimmed text field: required (with its own message) or optional, bounded;
    `needed`: not required by itself, but never "(optional)" (Needed)."""
    # DataRequired, not InputRequired: only spaces is nothing once trimmed.
    first = DataRequired(message=required) if required else Optional()
    validators = [first, *([Needed()] if needed else []), NoControlChars(multiline),
                  Length(max=max_len, message=_l("Use %(max)d characters or fewer.",
                                                 max=max_len))]
    render_kw = {"autocomplete": autocomplete, **render_kw}
    # HTML allows maxlength on text-like inputs only (False: not even Length's flag).
    text_like = render_kw.get("type", "text") in MAXLENGTH_TYPES
    render_kw["maxlength"] = max_len if text_like else False
    cls = TextAreaField if multiline else StringField
    return cls(label, validators=validators, filters=[drop_invisible, _strip],
               render_kw=render_kw)


class DateOfBirthField(StringField):
    """A date typed as YYYY-MM-DD (what <input type=date> sends) or MM/DD/YYYY."""
    widget = widgets.DateInput()
    FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y")

    def process_formdata(self, valuelist):
        self.raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        for fmt in self.FORMATS:
            try:
                self.data = datetime.strptime(self.raw, fmt).date()
                break
            except ValueError:
                continue

    def process_data(self, value):
        self.data = value if isinstance(value, date) else None
        self.raw = value.isoformat() if isinstance(value, date) else ""

    def _value(self):
        return self.data.isoformat() if self.data else getattr(self, "raw", "")


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CachedSelect(widgets.Select):
    """A select whose long, fixed option list (the states) is rendered once per locale;
    the chosen option is marked on the cached markup.  Same HTML as widgets.Select."""

    def __init__(self):
        super().__init__()
        self.cache = {}

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if field.flags.required and "required" not in kwargs:
            kwargs["required"] = True
        key = str(get_locale())
        if key not in self.cache:
            self.cache[key] = "".join(self.render_option(value, label, False)
                                      for value, label in field.choices)
        options = self.cache[key]
        if field.data is not None:
            plain = str(self.render_option(field.data, "", False)).split(">")[0] + ">"
            options = options.replace(plain, plain.replace("<option ", "<option selected "), 1)
        return Markup(f"<select {widgets.html_params(name=field.name, **kwargs)}>"
                      f"{options}</select>")


def check_us_phone(form, field) -> None:
    """A validator: a dialable phone number (US by default); stores E.164 on field.e164."""
    try:
        number = phonenumbers.parse(field.data, "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_l("Enter a phone number with area code, like 201 555 0123."))
    field.e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def state_field(label, required_message=None, autocomplete="off", needed: bool = False):
    """A US state select (its long option list rendered once per locale)."""
    first = InputRequired(message=required_message) if required_message else Optional()
    return SelectField(label, choices=STATE_CHOICES,
                       validators=[first, *([Needed()] if needed else [])],
                       validate_choice=False, render_kw={"autocomplete": autocomplete},
                       widget=CachedSelect())


def check_state(field) -> None:
    if field.data and field.data not in {code for code, _ in STATE_CHOICES if code}:
        raise ValidationError(_l("Choose a state from the list."))
