"""A patient driving the wizard through the test client, as htmx or as a plain browser."""
from tests.conftest import csrf_token

GOOD = {
    "personal": {"first_name": "Maria", "middle_name": "", "last_name": "Delgado",
                 "street": "12 Elm Street", "line2": "Apt 3", "city": "Springfield",
                 "state": "IL", "zip_code": "62701", "phone": "(217) 555-0199",
                 "date_of_birth": "1984-03-09", "email": "maria.d@example.org"},
    "insurance": {},
    "credentials": {"username": "MariaD84", "password": "correct horse battery staple",
                    "confirm": "correct horse battery staple"},
    "security": {"question_1": "first_school", "answer_1": "Lincoln Elementary",
                 "question_2": "first_pet", "answer_2": "Biscuit",
                 "question_3": "birth_city", "answer_3": "Tucson",
                 "question_4": "first_job", "answer_4": "Paper route",
                 "question_5": "first_car", "answer_5": "Toyota"},
    "review": {"terms": "y", "email_contact": "y"},
}


class Patient:
    def __init__(self, client, htmx: bool = False):
        self.client = client
        self.htmx = htmx
        self.token = None

    @property
    def headers(self):
        return {"HX-Request": "true"} if self.htmx else {}

    def get(self, path: str, **kw):
        resp = self.client.get(path, headers=self.headers, **kw)
        self._remember(resp)
        return resp

    def post(self, path: str, data: dict, token: bool = True, **kw):
        if token and self.token is None:
            self.get("/enroll/practice")
        payload = dict(data)
        if token:
            payload.setdefault("csrf_token", self.token)
        resp = self.client.post(path, data=payload, headers=self.headers, **kw)
        self._remember(resp)
        return resp

    def step(self, name: str, data: dict | None = None, action: str = "next"):
        return self.post(f"/enroll/{name}", {**(data if data is not None else GOOD[name]),
                                             "action": action})

    def _remember(self, resp):
        html = resp.get_data(as_text=True)
        if 'name="csrf_token"' in html:
            self.token = csrf_token(html)

    def complete_through(self, last: str, practice_id: int, **overrides):
        order = ["practice", "personal", "insurance", "credentials", "security", "review"]
        data = {"practice": {"practice": str(practice_id)}, **GOOD, **overrides}
        resp = None
        for name in order[:order.index(last) + 1]:
            resp = self.step(name, data[name])
            assert resp.status_code in (200, 303), (name, resp.status_code,
                                                    resp.get_data(as_text=True)[:3000])
        return resp


# --- Reading pages back (stdlib only): what a form shows, what an element says. ---------
from html.parser import HTMLParser  # noqa: E402


class _Page(HTMLParser):
    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr", "area", "col"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values = {}      # name -> list of values a browser would send
        self.texts = {}       # element id -> its text content
        self.attrs_by_id = {}
        self._open = []       # stack of [tag, id or None]
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if a.get("id"):
            self.attrs_by_id[a["id"]] = {"tag": tag, **a}
            self.texts.setdefault(a["id"], "")
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind not in ("submit", "button"):
                self.values.setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "select":
            self._select = a.get("name")
            self.values.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values.setdefault(self._textarea, []).append("")
        if tag not in self.VOID:
            self._open.append([tag, a.get("id")])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        if self._textarea:
            values = self.values[self._textarea]
            if not values[-1]:   # a browser drops the newline right after <textarea>
                data = data.removeprefix("\r\n") if data.startswith("\r\n") \
                    else data.removeprefix("\n")
            values[-1] += data
        for _tag, ident in self._open:
            if ident:
                self.texts[ident] += data


def read_page(html: str) -> _Page:
    """Parse a page or fragment: `.values` (form values by name, as a browser would send
    them), `.texts` (text of each element with an id), `.attrs_by_id`."""
    page = _Page()
    page.feed(html)
    page.close()
    return page
