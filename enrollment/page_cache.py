"""The first step's page for a browser without a draft (a first visit): rendered once
per language and kept in each server process, for as long as the list of practices
it shows is kept (practice_list.py: PRACTICE_LIST_SECONDS; 0: nothing kept).

Every first visit sees the same page but for its CSRF token.  The page is rendered
with a placeholder where the token goes, and each request puts in its own token
(made as on any page: Flask-WTF's, tied to that browser's session), so no token is
ever kept.  Nothing about a patient is on it: a browser with a draft, a step with a
human check (its challenge is per request) and any answer but a 200 are rendered for
the request, never kept.  Kept by step, language, page or htmx fragment, the app's
root and the list of practices as read (a practice changed on this server shows at
once; on another server when its list expires).
"""
import secrets

from flask import Flask, current_app, g, make_response, request
from flask_wtf.csrf import generate_csrf

import i18n
from htmx import is_htmx, vary_on_htmx

from . import practice_list

EXTENSION = "first_visit_pages"
MAX_PAGES = 64   # steps x languages x page/fragment: a bound, never reached in use
# Where the token goes while the kept page is rendered: random per process, so no
# text on a page can be taken for it.
PLACEHOLDER = "csrf-placeholder-" + secrets.token_hex(16)


def _template_token() -> str:
    """Templates' `csrf_token()`: the placeholder while a page to keep is rendered."""
    return PLACEHOLDER if g.get("keeping_page") else generate_csrf()


def first_visit(step, render):
    """The step's page for a browser without a draft: kept, or `render()` (a Response)
    kept when it is a plain 200 page."""
    stamp = practice_list.stamp()
    if stamp is None:
        return render()
    key = (id(step), step.template, i18n.current(), is_htmx(), request.script_root, stamp)
    pages = current_app.extensions.setdefault(EXTENSION, {})
    html = pages.get(key)
    if html is None:
        g.keeping_page = True
        try:
            resp = render()
        finally:
            g.keeping_page = False
        if resp.status_code != 200 or resp.direct_passthrough:
            return resp
        html = resp.get_data(as_text=True)
        if PLACEHOLDER not in html:   # a page without a form: nothing to put in
            return resp
        for old in [k for k in pages if k[-1] != stamp or len(pages) >= MAX_PAGES]:
            del pages[old]   # kept with a list of practices read before
        pages[key] = html
    resp = make_response(html.replace(PLACEHOLDER, generate_csrf()))
    return vary_on_htmx(resp)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = _template_token
