"""Bytes the server sends for one whole enrollment (brotli, JavaScript on, cold cache):
status line, headers and body of every response, static assets once."""
import re

from app import create_app
from extensions import db

GOOD_STEPS = None


def _size(resp) -> int:
    head = f"HTTP/1.1 {resp.status}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in resp.headers.items()) + "\r\n"
    return len(head.encode()) + len(resp.get_data())


def walk() -> dict:
    from enrollment.demo import seed
    from tests.wizard import GOOD
    app = create_app({"HUMAN_CHECK": False})
    sizes = {}
    with app.app_context():
        seed()
        practice_id = db.session.execute(db.text(
            "select id from practice where slug='riverside-family'")).scalar()
    client = app.test_client()
    br = {"Accept-Encoding": "br"}
    first = client.get("/enroll/practice", headers=br)
    sizes["practice (full page)"] = _size(first)
    html = client.get("/enroll/practice").get_data(as_text=True)
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        sizes[asset.split("/")[-1]] = _size(client.get(asset, headers=br))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    htmx = {**br, "HX-Request": "true"}
    data = {"practice": {"practice": str(practice_id)}, **GOOD}
    for step in ("practice", "personal", "insurance", "credentials", "security", "review"):
        resp = client.post(f"/enroll/{step}", data={**data[step], "csrf_token": token,
                                                    "action": "complete" if step == "review"
                                                    else "next"}, headers=htmx)
        assert resp.status_code == 200, (step, resp.status_code)
        sizes[f"post {step} -> next"] = _size(resp)
    total = sum(sizes.values())
    return {"per_response": sizes, "total": total,
            "largest_step_after_first": max(v for k, v in sizes.items() if k.startswith("post"))}
