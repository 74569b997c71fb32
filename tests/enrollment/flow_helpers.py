"""Shared by the whole-flow tests: step order, titles, the pending messages, checks."""
from tests.wizard import GOOD

ORDER = ["practice", "personal", "insurance", "credentials", "security", "review"]
TITLES = {"practice": "Practice", "personal": "Personal information",
          "insurance": "Insurance information", "credentials": "Account credentials",
          "security": "Security questions", "review": "Review and submit"}
PENDING = "Your enrollment request has been submitted and approval is pending from your practice."
APPOINTMENT_PENDING = ("Your appointment request has been submitted and approval is pending "
                       "from your practice.")


def flow_data(practice_id: int) -> dict:
    return {"practice": {"practice": str(practice_id)}, **GOOD}


def indicator(name: str) -> str:
    return f"Step {ORDER.index(name) + 1} of 6: {TITLES[name]}"


def assert_fragment(html: str) -> None:
    assert "<html" not in html and "<head" not in html and "<body" not in html


def assert_page(html: str) -> None:
    assert "<html" in html and "<head" in html


def location(resp) -> str:
    return resp.headers.get("HX-Redirect") or resp.headers["Location"]
