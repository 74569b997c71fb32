"""Username and password, under the published policy (enrollment/policy.py).  The
password is hashed the moment the step is accepted and kept on the draft, never in its
values; the username is made unique by the account's index at submission."""
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField

from auth.hashing import hash_secret

from .. import policy
from ..codes import POLICY_MESSAGES, policy_message
from ..fields import text
from ..forms import StepForm
from .base import Step


class CredentialsForm(StepForm):
    username = text(_l("Username"), 50, _l("Enter a username."), "username",
                    autocapitalize="none", spellcheck="false")
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Confirm password"), render_kw={"autocomplete": "new-password"})
    keep_hash = False

    def username_problems(self) -> list:
        name = self.username.data or ""
        problems = policy.check_username(name, self.ctx.limits)
        if not problems and self.ctx.username_taken(policy.normalise_username(name)):
            problems.append(("username_taken", {}))
        return problems

    def password_problems(self) -> list:
        """The published policy only: what the live check answers while typing.  No
        argon2 here (a keystroke must cost what a keystroke costs)."""
        ctx = self.ctx
        password = self.password.data or ""
        username = policy.normalise_username(self.username.data or "")
        if not password:
            if ctx.has_password and username == ctx.saved_username:
                return []
            return [("password_again" if ctx.has_password else "password_required", {})]
        return policy.check_password(password, ctx.limits, username,
                                     ctx.name_parts, ctx.practice_name)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.username.errors:
            for code, params in self.username_problems():
                self.username.errors.append(policy_message(code, params))
        problems = self.password_problems()
        # Posted, not live: not one of the security answers (argon2, once per post, and
        # only when answers are saved: Back from the security step).
        if not problems and self.password.data and self.ctx.is_security_answer(
                self.password.data):
            problems = [("password_answer", {})]
        for code, params in problems:
            reason = self.ctx.password_reason if code == "password_required" else None
            self.password.errors.append(str(reason) if reason else policy_message(code, params))
        if (self.password.data or "") != (self.confirm.data or ""):
            self.confirm.errors.append(policy_message("confirm_mismatch", {}))
        self.keep_hash = not self.password.data
        return ok and not (self.username.errors or self.password.errors or self.confirm.errors)


class CredentialsStep(Step):
    form = CredentialsForm
    secret_fields = ("password", "confirm")
    holds_password = True
    # The username was free when accepted and taken by someone else before submission.
    notices = {"username_taken": ("username", POLICY_MESSAGES["username_taken"])}

    def clean(self, form) -> dict:
        if not form.keep_hash:
            form.new_hash = hash_secret(form.password.data)
        return {"username": policy.normalise_username(form.username.data)}

    def keep(self, draft, form) -> None:
        if not form.keep_hash:
            draft.password_hash = form.new_hash

    def share(self, values: dict) -> dict:
        return {"username": values.get("username", "")}

    def conflict(self, error: str) -> str | None:
        return "username_taken" if "username" in error.lower() else None

    def review_rows(self, values: dict, ctx) -> list:
        return [(_l("Username"), values.get("username", "")),
                (_l("Password"), _l("Set (not shown)"))]

    def write(self, values: dict, into) -> None:
        into.account.username = values["username"]
        into.account.password_hash = into.draft.password_hash
