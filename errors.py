"""Error pages: a clear message and the right 4xx, as a page or as a fragment."""
from flask import Flask
from flask_babel import gettext as _, lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from htmx import render
from rate_limits import wait_text

MESSAGES = {
    400: _l("Something in that request was not right. Go back and try again."),
    403: _l("You cannot do that here."),
    404: _l("We could not find that page."),
    405: _l("That page cannot be used that way."),
    413: _l("That was more than this form accepts. Shorten what you typed and try again."),
    429: _l("Too many tries. Wait a few minutes, then try again."),
    500: _l("Something went wrong on our side. What you saved is safe; try again shortly."),
}


def error_page(code: int, message=None):
    if code == 429 and message is None:   # when to try again: from the limit's reset
        message = _("Too many tries for now. %(wait)s", wait=wait_text())
    text = message or MESSAGES.get(code) or MESSAGES[400]
    resp = render("error.html", "main", status=code, code=code, message=text)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def init_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code and exc.code < 400:
            return exc
        resp = error_page(exc.code or 500)
        for name, value in exc.get_headers():   # Allow on 405, Retry-After on 429...
            if name.lower() != "content-type":
                resp.headers[name] = value
        return resp

    @app.errorhandler(InternalServerError)
    def _server(exc):
        return error_page(500)
