"""gunicorn's access log without the secret in an emailed link's path.

Recovery, email-confirmation, staff-invitation and staff-reset links carry a single-use
token in the path (`/recover/<token>` ...).  `RedactingLogger` (gunicorn.conf.py's
`logger_class`) replaces the token with `[token]` in every value the access log may
print (request line, path, referrer, headers, environ), so no log line holds a usable
link.  tests/deploy/test_access_log.py checks every route with a token in its path.
"""
import re

from gunicorn.glogging import Logger

# Path prefixes followed by a token (routes: account/, enrollment/, admin/).
TOKEN_PATHS = ("recover", "enroll/confirm", "admin/invite", "admin/reset")
PLACEHOLDER = "[token]"
_TOKEN_RE = re.compile(r"(/(?:%s)/)[^/?#\s\"]+" % "|".join(map(re.escape, TOKEN_PATHS)))


def redact(text: str) -> str:
    """`/recover/AbC...` -> `/recover/[token]`; anything else unchanged."""
    return _TOKEN_RE.sub(r"\g<1>" + PLACEHOLDER, text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in atoms.items()}
