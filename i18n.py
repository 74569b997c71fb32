"""Languages: which one a request is in, the patient's choice, the switcher.

A request's locale, the first of these that applies:

1. the staff dashboard (blueprint "admin"): DASHBOARD_LANGUAGES by the browser's
   Accept-Language (English only until the dashboard gets a catalog of its own);
2. the patient's choice on this browser: the `lang` cookie, set by the switcher;
3. the choice kept on the draft or the account (`remember`), for a new browser;
4. the browser's Accept-Language, among LANGUAGES ("es-MX" finds "es_US": the same
   language, another country);
5. BABEL_DEFAULT_LOCALE.

The switcher on every patient page is a plain link, `?lang=es_US`, relative to the page
the browser shows (also after htmx pushed another step's address).  Any GET with `lang`
sets the cookie and redirects to the same page without it, rebuilt from its route, so
the redirect never leaves the site.  No patient data ever rides on it.
"""
import os
from functools import lru_cache

import flask_babel
from babel import Locale
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, redirect, request, url_for
from flask_babel import Domain, get_locale, get_translations, refresh
from jinja2 import pass_eval_context
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.utils import cached_property

LANG_COOKIE = "lang"
LANG_COOKIE_DAYS = 365
DASHBOARD = "admin"
# Where the switcher lands when the page it was on answers POST only (a page shown
# after a button): the blueprint's own landing page, else the home page.
LANDINGS = {"enrollment": "enrollment.start", "confirm_email": "home.index",
            "account": "account.status"}


class CatalogPerRequest(Domain):
    """Flask-Babel's domain, whose catalog is looked up once per request and locale.

    Flask-Babel finds the catalog again for every string (the request's context, the
    locale, its name formatted as the cache's key): most of a translated string's cost,
    about ten strings a page.  Here the request keeps the catalog it found beside the
    locale it was found for, so a locale changed within the request (`refresh`,
    `force_locale`: an email in the patient's language) finds its own catalog.  What is
    kept is the catalog of a language, the same for every patient: never their data."""

    def get_translations(self):
        ctx = flask_babel._get_current_context()
        if ctx is None:
            return NullTranslations()
        locale = getattr(ctx, "babel_locale", None) or get_locale()
        kept = getattr(ctx, "portal_catalog", None)
        if kept is not None and kept[0] is locale and kept[1] is self:
            return kept[2]
        found = super().get_translations()
        ctx.portal_catalog = (locale, self, found)
        return found


class Babel(flask_babel.Babel):
    """Flask-Babel with CatalogPerRequest as its (one, process-wide) domain."""

    @cached_property
    def domain_instance(self):
        return CatalogPerRequest(domain=self.domain)


@pass_eval_context
def template_gettext(eval_ctx, string: str, **variables) -> str:
    """Templates' `_()` and `gettext()`: as Jinja's i18n extension with Flask-Babel's
    callables (the same text, escaped the same way, always %-formatted), in one call
    instead of three nested ones (a page has about ten)."""
    text = get_translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def languages() -> list[str]:
    return current_app.config["LANGUAGES"]


def _dashboard() -> bool:
    return request.blueprint == DASHBOARD


def best_match(accepted, offered: list[str]) -> str | None:
    """The first language the browser accepts (by quality) that is offered: exactly
    ("es-US" is "es_US"), else by its language alone ("es-MX", "es" find "es_US")."""
    tags = {code.replace("-", "_").lower(): code for code in offered}
    primary = {}
    for code in offered:
        primary.setdefault(code.split("_")[0].lower(), code)
    for value, quality in accepted:
        if quality <= 0 or value == "*":
            continue
        tag = value.replace("-", "_").lower()
        found = tags.get(tag) or primary.get(tag.split("_")[0])
        if found:
            return found
    return None


def chosen() -> str | None:
    """The patient's choice on this browser (the cookie), when it is one we offer."""
    value = request.cookies.get(LANG_COOKIE)
    return value if value in languages() else None


def remember(stored: str | None) -> None:
    """What the patient chose before, kept on their draft or account: the language of
    this request when the browser has made no choice of its own."""
    if stored in languages() and g.get("stored_locale") != stored:
        g.stored_locale = stored
        refresh()   # a locale worked out earlier in this request is worked out again


def select_locale() -> str:
    config = current_app.config
    if not has_request_context():   # a command, the outbox sender: no one to ask
        return config["BABEL_DEFAULT_LOCALE"]
    if _dashboard():
        return best_match(request.accept_languages, config["DASHBOARD_LANGUAGES"]) \
            or config["BABEL_DEFAULT_LOCALE"]
    return (chosen() or g.get("stored_locale")
            or best_match(request.accept_languages, languages())
            or config["BABEL_DEFAULT_LOCALE"])


def current() -> str:
    """This request's locale as stored in the tables and the outbox ("es_US")."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


@lru_cache(maxsize=64)
def tag(code: str) -> str:
    """A locale as HTML's lang and hreflang want it (BCP 47): es_US -> es-US."""
    return str(code).replace("_", "-")


@lru_cache(maxsize=64)
def _name(code: str, in_locale: str) -> str:
    name = Locale.parse(code).get_language_name(in_locale) or code
    return name[:1].upper() + name[1:]


def language_name(code: str | None, in_locale: str | None = None) -> str:
    """A language's name: in `in_locale` (by default this request's): "Spanish";
    each in its own for the switcher: "Español"."""
    code = code or current_app.config["BABEL_DEFAULT_LOCALE"]
    return _name(code, in_locale or current())


def switcher() -> list[dict]:
    """The switcher's entries (none on the dashboard or with one language)."""
    offered = languages()
    if _dashboard() or len(offered) < 2:
        return []
    here = current()
    return [{"code": code, "tag": tag(code), "name": language_name(code, code),
             "current": code == here} for code in offered]


def _same_page() -> str:
    """The page the switcher was on, rebuilt from its route (never a path as typed,
    so never another site's), or its blueprint's landing when it answers POST only."""
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()):
        return url_for(request.endpoint, **(request.view_args or {}))
    try:
        endpoint, _ = current_app.create_url_adapter(request).match(request.path, "POST")
    except HTTPException:
        endpoint = ""
    return url_for(LANDINGS.get(endpoint.rpartition(".")[0], "home.index"))


def _switch():
    """GET ...?lang=<code>: keep the choice in a cookie and show the page again."""
    code = request.args.get("lang")
    if code is None or request.method not in ("GET", "HEAD") or _dashboard():
        return None
    resp = redirect(_same_page(), 303)
    if code in languages():
        resp.set_cookie(LANG_COOKIE, code, max_age=LANG_COOKIE_DAYS * 86400, path="/",
                        httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _vary(resp):
    """A page's words depend on the browser's languages and the choice cookie."""
    if resp.mimetype == "text/html":
        resp.vary.update(("Accept-Language", "Cookie"))
    return resp


def missing_catalogs(app: Flask) -> list[str]:
    """The compiled catalogs (.mo) a language of LANGUAGES needs and does not have: its
    pages would silently be English.  `make translations` makes them."""
    pairs = zip(app.config["BABEL_DOMAIN"].split(";"),
                app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";"))
    folder = dict(pairs).get("messages", "translations")
    default = app.config["BABEL_DEFAULT_LOCALE"]
    return [f"{folder}/{code}/LC_MESSAGES/messages.mo" for code in app.config["LANGUAGES"]
            if code != default
            and not os.path.exists(os.path.join(folder, code, "LC_MESSAGES", "messages.mo"))]


def init_app(app: Flask) -> None:
    from config import ConfigError
    from extensions import babel
    missing = missing_catalogs(app)
    if missing and app.config.get("PRODUCTION"):
        raise ConfigError("compile the message catalogs first (make translations, or "
                          "python translations/catalogs.py compile): missing "
                          + ", ".join(missing))
    if missing:
        app.logger.warning("missing compiled catalogs (make translations): %s", missing)
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_switch)
    app.after_request(_vary)
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    app.jinja_env.globals.update(get_locale=get_locale, lang_tag=lambda: tag(current()),
                                 language_switcher=switcher)
    app.jinja_env.filters["language_name"] = language_name
