from tests.wizard import Patient


def test_home_welcomes(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert "Sign up for a new account" in resp.get_data(as_text=True)


def test_whole_flow_plain(client, practices):
    patient = Patient(client)
    resp = patient.complete_through("review", practices["hillcrest-internal"])
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/enroll/done")
    page = client.get("/enroll/done").get_data(as_text=True)
    assert "approval is pending from your practice" in page
