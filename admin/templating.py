"""Template helpers of the dashboard's tables (templates/admin/_row_kit.html): what
every row shares is worked out once per table, not once per row."""
from flask import url_for

from . import bp

_MARK = 2_147_483_647   # an id no request has: replaced by %d


@bp.app_template_global("request_url")
def request_url(endpoint: str) -> str:
    """url_for(endpoint, request_id=…) as a pattern: `pattern % request_id`."""
    built = url_for(endpoint, request_id=_MARK).replace("%", "%%")
    return built.replace(str(_MARK), "%d")


@bp.app_template_filter("labels")
def labels(table: dict) -> dict:
    """A code -> lazy label table translated once, for this request's locale."""
    return {code: str(label) for code, label in table.items()}
