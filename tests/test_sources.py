"""What the app's sources never do: translate at import time (the text would be frozen
in the language of whoever imported the module first: a string defined at import is
lazy_gettext, `_l`), or leave a note about an issue number or a TODO for a reader who
cannot see either."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATE = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
STALE = re.compile(r"\bissue[ -]#?\d|\bTODO\b|\bFIXME\b|\bXXX\b", re.I)


def app_files(*suffixes):
    """The app's own files: everything but tests/, bench/, hidden folders and vendored
    code."""
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if (path.suffix in suffixes and path.is_file() and parts[0] not in ("tests", "bench")
                and "vendor" not in parts and not any(p.startswith(".") for p in parts)):
            yield path


def _calls_at_import(node, in_function=False):
    """Calls of a translation function that run when the module is imported: at module
    or class level, in default values and decorators."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        run_now = [*node.args.defaults, *(d for d in node.args.kw_defaults if d),
                   *getattr(node, "decorator_list", [])]
        for child in run_now:
            yield from _calls_at_import(child, in_function)
        body = node.body if isinstance(node.body, list) else [node.body]
        for child in body:
            yield from _calls_at_import(child, True)
        return
    if isinstance(node, ast.Call) and not in_function:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in TRANSLATE:
            yield node.lineno
    for child in ast.iter_child_nodes(node):
        yield from _calls_at_import(child, in_function)


def test_the_check_finds_translations_run_at_import():
    source = ("from flask_babel import gettext as _\n"
              "TITLE = _('a')\n"
              "class Form:\n    label = gettext('b')\n"
              "    def f(self, x=_('c')):\n        return _('ok at request time')\n"
              "@decorate(_('d'))\ndef g():\n    return lambda: _('ok too')\n")
    assert list(_calls_at_import(ast.parse(source))) == [2, 4, 5, 7]


def test_no_translation_runs_at_import():
    files = list(app_files(".py"))
    assert ROOT / "errors.py" in files and ROOT / "admin" / "practice" / "routes.py" in files
    found = [f"{path.relative_to(ROOT)}:{line}" for path in files
             for line in _calls_at_import(ast.parse(path.read_text()))]
    assert found == []


def test_no_note_about_an_issue_number_or_a_todo():
    files = list(app_files(".py", ".html", ".txt", ".js", ".css", ".cfg", ".toml"))
    assert ROOT / "templates" / "base.html" in files and ROOT / "static/js/portal.js" in files
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}" for path in files
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if STALE.search(line)]
    assert found == []
