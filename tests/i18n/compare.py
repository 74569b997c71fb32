"""Reading what a person sees on a page in two languages, and what stayed English.

`visible(html)`: every text node and every attribute a person reads or hears (title,
placeholder, aria-label, alt, a button's value, the human check's live-region words),
whitespace squashed, one string each.  `same_in_both(en, es)`: the strings of the
Spanish page that are also on the English one and are not data (names, addresses,
codes, numbers, dates, practice and state names): words someone forgot to translate.
"""
import re
from html.parser import HTMLParser

from enrollment.codes import US_STATES

ATTRIBUTES = {"title", "placeholder", "aria-label", "alt",
              "data-busy", "data-done", "data-failed"}   # the human check's live region
HIDDEN = {"script", "style"}
# The same in both languages on purpose: the language names (each in its own
# language), and words Spanish spells as English does.
SAME_WORDS = {"English", "Español", "Error:", "No"}
# No letters at all (numbers, dates, phone numbers, punctuation), an address or a
# link, a time zone's abbreviation, a code.
DATA = re.compile(r"^\S+@\S+$|^https?://\S+$|^\(?[A-Z]{2,5}\)?$|^[A-Z0-9-]+$")


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.found = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in a.items():
            if name in ATTRIBUTES and value:
                self.found.append(value)
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.found.append(a["value"])
        if tag not in ("input", "br", "img", "meta", "link", "hr", "wbr"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if not HIDDEN & set(self.stack):
            self.found.append(data)


def visible(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return [s for s in (" ".join(part.split()) for part in parser.found) if s]


WORD = re.compile(r"[^\W_]+", re.U)


def words(values) -> set[str]:
    """The words of what the patient typed, of names and codes: a string made of them
    alone ("12 Elm Street, Apt 3, Springfield, IL 62701") is data, not English."""
    found = set()
    for value in values:
        found.update(WORD.findall(str(value)))
    return found


STATE_WORDS = words([*US_STATES, *US_STATES.values()])


def is_data(text: str, data_words: set[str]) -> bool:
    if text in SAME_WORDS or DATA.match(text) or not any(c.isalpha() for c in text):
        return True
    found = WORD.findall(text)
    return bool(found) and all(w.isdigit() or w in data_words or w in STATE_WORDS
                               for w in found)


def same_in_both(en_html: str, es_html: str, data=()) -> list[str]:
    """The strings of the Spanish page that the English page has too, but for data
    (`data`: what was typed, names of practices, providers, places)."""
    english, data_words = set(visible(en_html)), words(data)
    return sorted({text for text in visible(es_html)
                   if text in english and not is_data(text, data_words)})
