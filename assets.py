"""Static files under fingerprinted names, cached for a year, served pre-compressed.

`asset_url("css/site.css")` gives `/static/css/site.3f9a1c2b.css`.  The files are small,
so each is read once, hashed and compressed (brotli and gzip) at start-up; a changed file
gets a new name, so a year's `immutable` cache is safe.
"""
import gzip
import hashlib
import mimetypes
from pathlib import Path

import brotli
from flask import Flask, abort, make_response, request

YEAR = 365 * 24 * 3600


class Assets:
    def __init__(self, app: Flask):
        self.root = Path(app.root_path) / "static"
        self.by_name: dict[str, dict] = {}
        self.by_url: dict[str, dict] = {}
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            self._add(path)
        app.add_url_rule("/static/<path:filename>", "static", self.serve)
        app.jinja_env.globals["asset_url"] = self.url
        app.extensions["assets"] = self

    def _add(self, path: Path) -> None:
        data = path.read_bytes()
        rel = path.relative_to(self.root).as_posix()
        digest = hashlib.sha256(data).hexdigest()[:10]
        stem, dot, ext = rel.rpartition(".")
        fingerprinted = f"{stem}.{digest}.{ext}" if dot else f"{rel}.{digest}"
        entry = {
            "name": fingerprinted,
            "type": mimetypes.guess_type(rel)[0] or "application/octet-stream",
            "identity": data,
            "br": brotli.compress(data, quality=11),
            "gzip": gzip.compress(data, 9, mtime=0),
            "etag": digest,
        }
        self.by_name[rel] = entry
        self.by_url[fingerprinted] = entry

    def url(self, name: str) -> str:
        return "/static/" + self.by_name[name]["name"]

    def serve(self, filename: str):
        entry = self.by_url.get(filename)
        if entry is None:
            abort(404)
        accepted = request.accept_encodings
        encoding = next((e for e in ("br", "gzip") if accepted[e]), "identity")
        resp = make_response(entry[encoding])
        resp.headers["Content-Type"] = entry["type"]
        if entry["type"].startswith("text/") or entry["type"].endswith("javascript"):
            resp.headers["Content-Type"] += "; charset=utf-8"
        if encoding != "identity":
            resp.headers["Content-Encoding"] = encoding
        resp.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        resp.set_etag(entry["etag"])
        resp.vary.add("Accept-Encoding")
        return resp.make_conditional(request)
