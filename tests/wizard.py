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
