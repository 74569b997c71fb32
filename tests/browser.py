"""A browser on the test client that keeps the last CSRF token a page gave it, as a
person's browser keeps the form it shows (CSRF stays on)."""
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}


class FormBrowser:
    """Mixed into dataclasses with `client` and `token`.  `first_page`: where to get a
    token before a first post (None: post what it has)."""
    first_page: str | None = None

    def get(self, path, htmx=False, **kw):
        resp = self.client.get(path, headers=HX if htmx else {}, **kw)
        self.remember(resp)
        return resp

    def post(self, path, data=None, htmx=False, token=True, **kw):
        payload = dict(data or {})
        if token:
            if not self.token and self.first_page:
                self.get(self.first_page)
            payload.setdefault("csrf_token", self.token)
        resp = self.client.post(path, data=payload, headers=HX if htmx else {}, **kw)
        self.remember(resp)
        return resp

    def remember(self, resp):
        html = resp.get_data(as_text=True)
        if 'name="csrf_token"' in html:
            self.token = csrf_token(html)
