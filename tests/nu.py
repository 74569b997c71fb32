"""The Nu Html Checker (vnu.jar, from the npm package `vnu-jar`, run with Java) over a
folder of HTML files, in one Java start.

`make vnu` installs the pinned jar into .cache/vnu (not committed); .ci/run installs
Java and npm when missing, then runs `make vnu`.  Without Java or the jar a test that
needs them is skipped, unless CI=true, where that is a failure."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JAR = ROOT / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LEADING_TITLE = re.compile(r"\A\s*<title>(.*?)</title>", re.S)


def required(missing: str) -> None:
    message = f"the HTML check needs {missing}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true requires it)")
    pytest.skip(message)


def command() -> list[str]:
    """java -jar vnu.jar, or skip (fail with CI=true) when either is missing."""
    java = shutil.which("java")
    if java is None:
        required("Java (Debian: apt-get install default-jre-headless)")
    if not JAR.is_file():
        required(f"{JAR.relative_to(ROOT)} (make vnu)")
    return [java, "-Xss16m", "-jar", str(JAR)]


def document(fragment: str, lang: str = "en", around: tuple[str, str] = ("", "")) -> str:
    """A fragment as the page it is swapped into holds it: inside a minimal document,
    the <title> it starts with moved into <head> (as htmx does with it), `around` the
    element it fills when that is not the <body> (a table, for rows)."""
    found = LEADING_TITLE.match(fragment)
    title = found.group(1) if found else "Fragment"
    body = fragment[found.end():] if found else fragment
    return (f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{title}</title>\n</head>\n<body>\n{around[0]}{body}{around[1]}\n"
            "</body>\n</html>\n")


def check(folder: Path) -> list[dict]:
    """Every error the checker finds in the folder's *.html files (one Java start):
    dicts with file (the name), line, message and extract."""
    run = subprocess.run(command() + ["--errors-only", "--format", "json", "--exit-zero-always",
                                      str(folder)],
                         capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(run.stderr or run.stdout)["messages"]
    except (ValueError, KeyError) as exc:
        raise AssertionError(f"the checker did not answer in JSON: {run.stderr[:2000]}") \
            from exc
    return [{"file": Path(m.get("url", "")).name, "line": m.get("lastLine"),
             "message": m.get("message", ""), "extract": m.get("extract", "")}
            for m in messages if m.get("type") == "error"
            or m.get("subType") == "fatal"]
