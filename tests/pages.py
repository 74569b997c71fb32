"""Reading HTML in tests with the standard library: text, titles, inline code, URLs."""
import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[tuple[tuple, str]] = []   # (open elements, text)
        self.tags: list[tuple[str, dict]] = []
        self.script_bodies: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "script":
            self.script_bodies.append(data)
        self.text.append((tuple(self.stack), data))


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _squash(parts) -> str:
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def visible_text(html: str, inside: str | None = None) -> str:
    """Text content without <title>, <script> and <style>; only within `inside` if given."""
    page = parse(html)
    return _squash(data for stack, data in page.text
                   if not {"title", "script", "style"} & set(stack)
                   and (inside is None or inside in stack))


def title(html: str) -> str:
    page = parse(html)
    return _squash(data for stack, data in page.text if "title" in stack)


def main_text(html: str) -> str:
    """The text of <main> in a whole page."""
    return visible_text(html, inside="main")


def inline_code(html: str) -> list[str]:
    """Everything a strict CSP would block: inline script, style elements or attributes,
    on* handlers, hx-on attributes (hx-on too), javascript: URLs."""
    page = parse(html)
    found = []
    for tag, attrs in page.tags:
        if tag == "script" and "src" not in attrs:
            found.append(f"<script> without src: {attrs}")
        if tag == "style":
            found.append("<style> element")
        for name, value in attrs.items():
            if name == "style":
                found.append(f"style attribute on <{tag}>")
            if name.startswith(("on", "hx-on", "data-hx-on")):
                found.append(f"{name} on <{tag}>")
            if isinstance(value, str) and value.strip().lower().startswith("javascript:"):
                found.append(f"javascript: URL in {name}")
    found += [f"script body {body[:40]!r}" for body in page.script_bodies if body.strip()]
    return found


def asset_urls(html: str) -> list[str]:
    page = parse(html)
    urls = [attrs.get("src") or attrs.get("href") for tag, attrs in page.tags
            if tag in ("script", "link")]
    return [u for u in urls if u and u.startswith("/static/")]


def field_value(html: str, name: str) -> str | None:
    """The value of an <input> or the selected <option> / text of a <textarea>."""
    for tag, attrs in parse(html).tags:
        if tag == "input" and attrs.get("name") == name:
            return attrs.get("value")
    match = re.search(r'<select[^>]*name="%s"[^>]*>(.*?)</select>' % re.escape(name), html, re.S)
    if match:
        for tag, attrs in parse(match.group(1)).tags:
            if tag == "option" and "selected" in attrs:
                return attrs.get("value")
        return None
    match = re.search(r'<textarea[^>]*name="%s"[^>]*>(.*?)</textarea>' % re.escape(name),
                      html, re.S)
    return match.group(1).strip() if match else None


def heading(html: str) -> str:
    """The text of the (first) <h1>."""
    page = parse(html)
    return _squash(data for stack, data in page.text if "h1" in stack
                   and not {"title", "script", "style"} & set(stack))


def assert_titled_alike(page_html: str, fragment_html: str, where: str = "",
                        part: bool = False) -> str:
    """A page and its htmx fragment carry one and the same <title> (the fragment's first,
    at its root, where htmx takes it), and the title begins with the page's <h1>
    ("Error: " before it in an error state).  `part`: the fragment fills a part of the
    page (search results, a panel), without the <h1>.  Returns the title."""
    page_title, fragment_title = title(page_html), title(fragment_html)
    assert page_title, where
    assert fragment_title == page_title, (where, fragment_title, page_title)
    assert page_html.count("<title>") == 1 and fragment_html.count("<title>") == 1, where
    assert fragment_html.startswith("<title>"), where
    text = heading(page_html)
    assert text and heading(fragment_html) == ("" if part else text), where
    assert page_title.removeprefix("Error: ").startswith(f"{text} – "), (where, page_title)
    return page_title


def titled_alike(fetch, where: str = "", part: bool = False) -> str:
    """`fetch(htmx)` -> a response; the same request as a page and as htmx's fragment
    (same status), titled alike (assert_titled_alike).  Returns the title."""
    page, fragment = fetch(False), fetch(True)
    assert page.status_code == fragment.status_code, (where, page.status_code,
                                                      fragment.status_code)
    return assert_titled_alike(page.get_data(as_text=True), fragment.get_data(as_text=True),
                               where, part)
