"""The house's floors (README "Layout"): a package imports only packages on floors below
its own, never one beside it or above it.  Read from the source (every import, also
those inside functions), so a new arrow fails here before it reaches a review."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Top to bottom.  The bottom floor is the app's plumbing; its modules may use each other.
FLOORS = [
    {"app"},
    {"upkeep"},
    {"admin", "account", "home"},
    {"enrollment"},
    {"audit", "outbox"},
    {"auth"},
    {"assets", "config", "crypto", "database", "deploy", "errors", "extensions", "htmx",
     "i18n", "rate_limits", "seclog", "security", "serving"},
]
FLOOR = {name: level for level, names in enumerate(FLOORS) for name in names}
BOTTOM = len(FLOORS) - 1


def _package_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        top = _package_of(path)
        if top in FLOOR and "__pycache__" not in path.parts:
            yield top, path


def _imported(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def test_every_top_level_package_is_on_a_floor():
    tops = {p.name.removesuffix(".py") for p in ROOT.iterdir()
            if (p.suffix == ".py" or (p / "__init__.py").exists())}
    assert tops - {"tests", "bench", "migrations", "gunicorn.conf"} == set(FLOOR)


def test_arrows_point_down_only():
    wrong = []
    for top, path in _sources():
        for target in set(_imported(path)):
            if target == top or target not in FLOOR:
                continue
            if FLOOR[target] < FLOOR[top] or (FLOOR[target] == FLOOR[top] < BOTTOM):
                wrong.append(f"{path.relative_to(ROOT)}: {top} -> {target}")
    assert wrong == []
