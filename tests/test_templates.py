"""The templates' conventions (README, "Templates"), read from their source: a page's
heading is written once and its <title> is made in one place; every form's CSRF input
is the one macro; htmx attributes are written data-hx-* (valid HTML; htmx reads both)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
HEADING_BLOCK = re.compile(r"\{% block heading %\}(.*?)\{% endblock %\}", re.S)
BARE_HX = re.compile(r"""(^|\s)hx-[a-z-]+=|["']hx-[a-z-]+["']""", re.M)
POST_FORM = re.compile(r"<form\b[^>]*\bmethod=\"post\"[^>]*>(.*?)</form>", re.S)
COMMENT = re.compile(r"\{#.*?#\}", re.S)
LITERAL = re.compile(r"""_\(\s*"([^"]+)"|_\(\s*'([^']+)'|^([^{}]+)$""")


def pages() -> dict[str, str]:
    """Every HTML template but the emails': name -> source, without its comments."""
    return {str(p.relative_to(TEMPLATES)): COMMENT.sub("", p.read_text())
            for p in sorted(TEMPLATES.rglob("*.html")) if p.parts[-2] != "email"}


def test_only_base_html_writes_a_title_element():
    writers = [name for name, source in pages().items() if "<title" in source]
    assert writers == ["base.html"]


def test_a_heading_is_set_only_by_its_block_or_the_view():
    assert [name for name, source in pages().items()
            if re.search(r"\{%-?\s*set\s+heading\b", source)] == []


def test_every_h1_shows_the_page_s_heading_block():
    wrong = []
    for name, source in pages().items():
        for line in source.splitlines():
            if "<h1" in line and "self.heading()" not in line and name != "macros/forms.html":
                wrong.append(f"{name}: {line.strip()}")
            if "step_header(" in line and "macro step_header" not in line \
                    and "step_header(self.heading()" not in line:
                wrong.append(f"{name}: {line.strip()}")
    assert wrong == []


def test_no_template_writes_its_heading_twice():
    twice, blocks = [], 0
    for name, source in pages().items():
        for block in HEADING_BLOCK.findall(source):
            found = LITERAL.search(block.strip())
            if found is None:
                continue
            blocks += 1
            text = next(group for group in found.groups() if group)
            if source.count(text) > 1:
                twice.append(f"{name}: {text!r} written {source.count(text)} times")
    assert blocks >= 12, "the check reads the templates' heading blocks"
    assert twice == []


def test_the_csrf_input_is_written_by_its_macro_only():
    sources = pages()
    assert sources["macros/forms.html"].count('name="csrf_token"') == 1
    assert [name for name, source in sources.items()
            if 'name="csrf_token"' in source or "form.csrf_token" in source] \
        == ["macros/forms.html"]
    # The token itself: the macro, the idle warning's keep-alive (static/js/idle.js) and
    # a request table's rows, which share one (admin/_row_kit.html).
    assert [name for name, source in sources.items() if "csrf_token()" in source] \
        == ["admin/_row_kit.html", "macros/forms.html", "macros/idle.html"]


def test_every_post_form_sends_the_csrf_input():
    forms, missing = 0, []
    for name, source in pages().items():
        for form in POST_FORM.findall(source):
            forms += 1
            if "csrf_input(" not in form:
                missing.append(f"{name}: {form.strip()[:80]}")
    assert forms >= 30, "the check reads the templates' forms"
    assert missing == []


def test_htmx_attributes_are_written_data_hx():
    sources = {**pages(), **{str(p.relative_to(ROOT)): p.read_text()
                             for p in sorted((ROOT / "static" / "js").glob("*.js"))}}
    assert "static/js/portal.js" in sources
    assert sum(source.count("data-hx-") for source in sources.values()) >= 70
    bare = [f"{name}: {match.group(0).strip()}" for name, source in sources.items()
            for match in BARE_HX.finditer(source)]
    assert bare == []
