"""The message catalogs, in one place for `make` and the tests (README "Languages").

    python translations/catalogs.py update     # make messages: extract, update every .po
    python translations/catalogs.py check      # make check-messages: fail when stale
    python translations/catalogs.py compile    # make translations: the .mo files
    python translations/catalogs.py status     # untranslated and fuzzy entries
    python translations/catalogs.py init fr_CA [admin]   # a new language's catalog

Two domains: "messages", the patient's side (babel.cfg), which every language of
LANGUAGES translates in full, and "admin", the staff dashboard (babel-admin.cfg),
translated only where a language has an admin.po.  Updating never guesses: no fuzzy
matching, so a new or changed string is untranslated (and `status` and the tests list
it), never filled with a near miss.  References name the file, not the line, so moving
code does not make a catalog stale; adding, changing or removing a string does.
"""
import io
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOMAINS = {"messages": "babel.cfg", "admin": "babel-admin.cfg"}
WIDTH = 76
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}   # _l: lazy_gettext
SKIP_DIRS = {"tests", "bench", "node_modules", "translations", "instance"}


def _skip(dirpath: str) -> bool:
    return Path(dirpath).name.startswith((".", "_")) or Path(dirpath).name in SKIP_DIRS


def extract(domain: str) -> Catalog:
    """The domain's strings as they are in the sources now (a template catalog),
    each with the files it is used in."""
    with (ROOT / DOMAINS[domain]).open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    catalog = Catalog(project="patient-portal", version="1", domain=domain,
                      copyright_holder="the patient-portal authors")
    found = extract_from_dir(ROOT, method_map, options_map, keywords=KEYWORDS,
                             directory_filter=lambda d: not _skip(d))
    for filename, _line, message, comments, context in found:
        catalog.add(message, None, [(Path(filename).as_posix(), None)],
                    auto_comments=comments, context=context)
    return catalog


def catalogs(domain: str) -> list[Path]:
    """Every language's .po of the domain."""
    return sorted(HERE.glob(f"*/LC_MESSAGES/{domain}.po"))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale=path.parent.parent.name, domain=path.stem)


def _written(catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, ignore_obsolete=True, include_lineno=False)
    return out.getvalue()


def _updated(path: Path, template) -> tuple[bytes, set, set]:
    """The .po as `update` writes it, with the msgids it gains and loses."""
    catalog = _read(path)
    before = {m.id for m in catalog if m.id}
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    after = {m.id for m in catalog if m.id}
    return _written(catalog), after - before, before - after


def update(check: bool = False) -> list[str]:
    """Bring every .po up to the sources (or, with `check`, say which are behind)."""
    stale = []
    for domain in DOMAINS:
        template = extract(domain)
        if not check:
            (HERE / f"{domain}.pot").write_bytes(_written(template))
        for path in catalogs(domain):
            text, new, gone = _updated(path, template)
            if text == path.read_bytes():
                continue
            if check:
                stale.append(f"{_name(path)}: {len(new)} new, {len(gone)} "
                             f"removed or changed: {sorted(map(str, new))[:5]} {sorted(map(str, gone))[:5]}")
            else:
                path.write_bytes(text)
                print(f"{_name(path)}: {len(new)} new, {len(gone)} removed")
    return stale


def problems(path: Path) -> dict[str, list[str]]:
    """What keeps a catalog from done: untranslated and fuzzy entries, and
    translations whose placeholders differ from the source's (Babel's checks)."""
    catalog = _read(path)
    found = {"untranslated": [], "fuzzy": [], "errors": []}
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            found["untranslated"].append(str(message.id))
        if message.fuzzy:
            found["fuzzy"].append(str(message.id))
    for message, errors in catalog.check():
        found["errors"] += [f"{message.id!r}: {error}" for error in errors]
    return found


def compile_all(only_stale: bool = False) -> list[Path]:
    """Every .po to its .mo (fuzzy entries left out); `only_stale`: those older."""
    made = []
    for domain in DOMAINS:
        for path in catalogs(domain):
            mo = path.with_suffix(".mo")
            if only_stale and mo.exists() and mo.stat().st_mtime >= path.stat().st_mtime:
                continue
            out = io.BytesIO()
            write_mo(out, _read(path), use_fuzzy=False)
            partial = mo.with_name(f".{mo.name}.{os.getpid()}")
            partial.write_bytes(out.getvalue())
            os.replace(partial, mo)   # a server or test reading it never sees half
            made.append(mo)
    return made


def init(code: str, domain: str = "messages") -> Path:
    """A new language's catalog from the sources, every entry untranslated."""
    path = HERE / code / "LC_MESSAGES" / f"{domain}.po"
    if path.exists():
        raise SystemExit(f"{_name(path)} exists")
    catalog = extract(domain)
    catalog.locale = Locale.parse(code)
    catalog.revision_date = datetime.now(timezone.utc)
    catalog.fuzzy = False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_written(catalog))
    return path


def status() -> int:
    bad = 0
    for domain in DOMAINS:
        for path in catalogs(domain):
            found = problems(path)
            total = sum(1 for m in _read(path) if m.id)
            print(f"{_name(path)}: {total} strings, "
                  + ", ".join(f"{len(v)} {k}" for k, v in found.items()))
            for kind, items in found.items():
                for item in items:
                    print(f"  {kind}: {item}")
            bad += domain == "messages" and any(found.values())
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "update":
        update()
        return 0
    if command == "check":
        stale = update(check=True)
        for line in stale:
            print(line, file=sys.stderr)
        if stale:
            print("The catalogs are behind the sources: run `make messages`, then "
                  "translate what `make translations-status` lists.", file=sys.stderr)
        return 1 if stale else 0
    if command == "compile":
        compile_all()
        return 0
    if command == "status":
        return status()
    if command == "init" and len(argv) in (3, 4):
        print(_name(init(*argv[2:])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
