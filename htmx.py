"""The one place that decides page or fragment, and the htmx response headers.

Views never write an `HX-*` header by hand: each header the app sends has a helper
here (tests/test_htmx.py greps the sources for strays).  Fragments are rendered by
`render_blocks`, which sees a page's layouts as the whole page does, so the `<title>`
a fragment carries comes from the same `title` block as the page's own (README,
"Templates: heading, title, CSRF, htmx attributes")."""
from typing import Callable, Sequence
from weakref import WeakKeyDictionary

from flask import Response, current_app, make_response, redirect, render_template, request
from jinja2 import Environment, Template, nodes

# A template's `{% extends %}` target, found once per compiled template (a reloaded
# template is a new object, so an edited layout is seen).
_PARENTS: "WeakKeyDictionary[Template, str | None]" = WeakKeyDictionary()


def is_htmx() -> bool:
    """A partial request: htmx asked for it and it is not a boosted navigation."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def render(template: str, block: str, status: int = 200, **ctx) -> Response:
    """The whole page; for htmx, the page's `<title>` and `block` (one template).

    A template that is a page (it extends a layout with a `title` block) sends its
    title with every fragment, first, where htmx takes it for `document.title`."""
    if is_htmx():
        html = render_blocks(template, ("title", block), is_fragment=True, **ctx)
    else:
        html = render_template(template, is_fragment=False, **ctx)
    return vary_on_htmx(make_response(html, status))


def render_blocks(template: str, blocks: Sequence[str], **ctx) -> str:
    """`blocks` of `template`, concatenated.  The block `title` comes wrapped in <title>,
    and is left out for a template that has none (not a page: a table row, a panel).

    Unlike jinja2-fragments' render_blocks (a template's own blocks in a fresh context),
    the context holds the blocks of every layout the template extends, as when the whole
    page renders: a layout's `title` block is found, and `self.heading()` in it is the
    page's `heading` block, or the layout's default.  Top-level `{% set %}` and imports
    do not run: macros are imported inside blocks."""
    app = current_app._get_current_object()
    app.update_template_context(ctx)
    env = app.jinja_env
    page = env.get_template(template)
    context = page.new_context(ctx)
    layout = _parent(env, page)
    while layout is not None:
        for name, func in layout.blocks.items():
            context.blocks.setdefault(name, []).append(func)
        layout = _parent(env, layout)
    missing = [name for name in blocks if name not in context.blocks and name != "title"]
    if missing:
        raise LookupError(f"no block {missing[0]!r} in {template!r} or its layouts")
    parts = []
    try:
        for name in blocks:
            if name in context.blocks:
                html = env.concat(context.blocks[name][0](context))
                parts.append(f"<title>{html}</title>" if name == "title" else html)
    except Exception:
        env.handle_exception()
    return "".join(parts)


def _parent(env: Environment, template: Template) -> Template | None:
    if template not in _PARENTS:
        source, filename, _ = env.loader.get_source(env, template.name)
        extends = env.parse(source, template.name, filename).find(nodes.Extends)
        if extends is not None and not isinstance(extends.template, nodes.Const):
            raise TypeError(f"{template.name}: extend a layout named by a constant")
        _PARENTS[template] = extends.template.value if extends is not None else None
    name = _PARENTS[template]
    return env.get_template(name, parent=template.name) if name else None


# --- Response headers: one helper for each HX-* header the app sends ------------------

def vary_on_htmx(resp: Response) -> Response:
    """`Vary: HX-Request`: the same URL answers a page or a fragment, so caches keep
    them apart."""
    resp.vary.add("HX-Request")
    return resp


def push_url(resp: Response, url: str) -> Response:
    """`HX-Push-Url`: htmx puts `url` in the address bar and the history."""
    resp.headers["HX-Push-Url"] = url
    return resp


def retarget(resp: Response, selector: str) -> Response:
    """`HX-Retarget`: swap the answer into `selector` instead of the element's target."""
    resp.headers["HX-Retarget"] = selector
    return resp


def reswap(resp: Response, how: str) -> Response:
    """`HX-Reswap`: swap the answer this way (`innerHTML`, `outerHTML`...) instead."""
    resp.headers["HX-Reswap"] = how
    return resp


def advance(url: str, render_next: Callable[[], Response]) -> Response:
    """After a successful post: htmx gets the next fragment and the URL to push;
    a browser without JavaScript gets redirect-after-post (htmx ignores 3xx headers)."""
    if is_htmx():
        return push_url(render_next(), url)
    return redirect(url, 303)


def client_redirect(url: str) -> Response:
    """Leave the current page entirely (htmx: `HX-Redirect`, a full load of `url`;
    a browser: 303)."""
    if is_htmx():
        resp = make_response("", 204)
        resp.headers["HX-Redirect"] = url
        return vary_on_htmx(resp)
    return redirect(url, 303)
