"""The one place that decides page or fragment, and the htmx response helpers."""
from typing import Callable

from flask import Response, make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    """A partial request: htmx asked for it and it is not a boosted navigation."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def render(template: str, block: str, status: int = 200, **ctx) -> Response:
    """Render `block` of `template` for htmx, the whole page otherwise (one template)."""
    partial = is_htmx()
    html = (render_block(template, block, is_fragment=True, **ctx) if partial
            else render_template(template, is_fragment=False, **ctx))
    resp = make_response(html, status)
    resp.vary.add("HX-Request")
    return resp


def advance(url: str, render_next: Callable[[], Response]) -> Response:
    """After a successful post: htmx gets the next fragment and the URL to push;
    a browser without JavaScript gets redirect-after-post (htmx ignores 3xx headers)."""
    if is_htmx():
        resp = render_next()
        resp.headers["HX-Push-Url"] = url
        return resp
    return redirect(url, 303)


def client_redirect(url: str) -> Response:
    """Leave the current page entirely (htmx: HX-Redirect; a browser: 303)."""
    if is_htmx():
        resp = make_response("", 204)
        resp.headers["HX-Redirect"] = url
        resp.vary.add("HX-Request")
        return resp
    return redirect(url, 303)
