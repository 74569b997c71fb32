"""Thin views: parse, call, render.  The flow itself lives in steps/ (STEPS)."""
from flask import abort, current_app, g, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import NotFound

from errors import error_page

from htmx import advance, client_redirect, render, vary_on_htmx

from rate_limits import wait_text

from . import confirmation, drafts, human_check, limits, page_cache, steps, wizard
from .appointment import appointment_form, appointment_values
from .submit import StepConflict, submit
from . import bp

# ?from=<the final step>: the step was opened with Edit on the review page (the name is
# the registry's; templates read it as `from_review`, set in init_app).
FROM_REVIEW = steps.final().name


@bp.before_request
def load_draft():
    g.draft = drafts.load(request.cookies.get(drafts.DRAFT_COOKIE))
    g.new_token = None
    if g.draft is not None:
        drafts.keep_language(g.draft)
    if request.endpoint in ("enrollment.resume", "enrollment.start_over"):
        return None
    draft = g.draft
    if draft is None or drafts.visit_ok(draft, request.cookies.get(drafts.VISIT_COOKIE)):
        return None
    if drafts.holds_personal(draft):
        return client_redirect(url_for("enrollment.resume"))
    g.mark_visit = True   # nothing personal to protect yet: this browser is the visit
    return None


@bp.after_request
def draft_cookies(resp):
    resp.headers["Cache-Control"] = "no-store"
    vary_on_htmx(resp)
    if g.get("new_token"):
        secure = current_app.config["SESSION_COOKIE_SECURE"]
        resp.set_cookie(drafts.DRAFT_COOKIE, g.new_token, httponly=True, samesite="Lax",
                        secure=secure, max_age=int(drafts.ttl().total_seconds()),
                        path="/enroll")
    if g.get("draft") is not None and g.get("mark_visit"):
        resp.set_cookie(drafts.VISIT_COOKIE, drafts.visit_mark(g.draft), httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
                        path="/enroll")
    if g.get("forget"):
        resp.delete_cookie(drafts.DRAFT_COOKIE, path="/enroll")
        resp.delete_cookie(drafts.VISIT_COOKIE, path="/enroll")
    return resp


class NoSuchStep(NotFound):
    pass


def _step_or_404(name: str) -> steps.Step:
    step = steps.get(name)
    if step is None:
        raise NoSuchStep()
    return step


@bp.errorhandler(NoSuchStep)
def no_such_step(exc):
    return error_page(404, _("There is no such step in the enrollment. Start again from "
                             "the first step; what you saved is kept."))


@bp.errorhandler(CSRFError)
def stale_form(exc):
    """A missing or stale CSRF token: show the same step again, values kept, fresh token."""
    current = steps.get((request.view_args or {}).get("name", ""))
    if request.endpoint != "enrollment.post_step" or current is None:
        return error_page(400, _("This form had expired. Go back, reload the page and "
                                 "try again."))
    redirect_first = load_draft() or _guard(current)   # not reachable: as a GET would
    if redirect_first is not None:
        return redirect_first
    form = wizard.make_form(current, g.draft, request.form)
    current.refused(g.draft, form, validated=False)
    form.form_errors.append(_("This page was open for a long time, so we could not accept "
                              "it. Check your answers and select Next again."))
    return render_step(current, form, status=400)


def _done() -> list:
    return g.draft.done if g.draft else []


def _guard(step: steps.Step):
    """Redirect to the first incomplete step when this one is not reachable yet."""
    if g.draft is not None and g.draft.submitted_at is not None:
        return client_redirect(url_for("enrollment.done"))
    wizard.leave_stale_notices(g.draft, step)
    if not steps.reachable(step, _done()):
        target = steps.first_incomplete(_done())
        return client_redirect(url_for("enrollment.step", name=target.name))
    return None


def _editing(step: steps.Step) -> bool:
    """An Edit from the review page (`?from=review`): the step's Save goes back there."""
    return request.args.get("from") == FROM_REVIEW and not step.final


def render_step(step: steps.Step, form, status: int = 200, keep_token: str | None = None,
                saved: steps.Step | None = None):
    g.editing = _editing(step)   # the step_form macro: Save and Cancel, ?from=review
    return render(step.template, "step", status=status, step=step, form=form,
                  steps=steps, draft=g.draft, practice=form.ctx.practice,
                  human_check=_check_widget(step, keep_token), saved=saved,
                  **step.page_context(g.draft, form.ctx))


def _check_widget(step: steps.Step, keep_token: str | None):
    """The box, or the note of a draft that passed it already, or nothing."""
    if not step.human_check or not human_check.enabled():
        return None
    if human_check.passed(g.draft):
        return human_check.already_passed()
    return human_check.widget(keep_token)


@bp.get("/")
def start():
    done = _done()
    if g.draft is not None and g.draft.submitted_at is not None:
        return client_redirect(url_for("enrollment.done"))
    target = steps.first_incomplete(done) or steps.STEPS[-1]
    return client_redirect(url_for("enrollment.step", name=target.name))


@bp.get("/<name>")
def step(name: str):
    current = _step_or_404(name)
    blocked = _guard(current)
    if blocked:
        return blocked
    if g.draft is None and not (current.human_check and human_check.enabled()):
        return page_cache.first_visit(current, lambda: _show(current))   # a first visit
    return _show(current)


def _show(current: steps.Step):
    form = wizard.make_form(current, g.draft)
    wizard.show_notice(current, g.draft, form)
    saved = steps.get(request.args.get("saved", "")) if current.final else None
    return render_step(current, form, saved=saved if saved and not saved.final else None)


@bp.post("/<name>")
@limits.step_posts
def post_step(name: str):
    current = _step_or_404(name)
    blocked = _guard(current)
    if blocked:
        return blocked
    action = request.form.get("action", "next")
    if action == "back":
        return _back_to_review() if _editing(current) else _go_back(current)
    form = wizard.make_form(current, g.draft, request.form)
    if current.final and g.draft is None:
        abort(400)
    if not form.validate():
        current.refused(g.draft, form)
        return render_step(current, form, status=422)
    refused = _human_check(current, form)
    if refused is not None:
        return refused
    draft = _ensure_draft()
    try:
        wizard.accept(current, draft, form, request.form,
                      human_checked=g.get("human_checked", False))
    except wizard.DraftTooLarge:
        return _too_large(current, form)
    if current.final:
        return _finish(action)
    if _editing(current):
        return _after_edit(current, draft)
    following = steps.after(current)
    return advance(url_for("enrollment.step", name=following.name),
                   lambda: render_step(following, wizard.make_form(following, draft)))


def _human_check(step: steps.Step, form):
    """None when the step carries no check, the draft passed it before, or it passes
    now (g.human_checked); else the step again, saying why.  Too soon: how many
    seconds are left, with the same token and the box still ticked."""
    if not step.human_check or human_check.passed(g.draft):
        return None
    problem = human_check.check(request.form)
    if problem is None:
        g.human_checked = True
        return None
    form.human_check_error = human_check.message(problem, request.form)
    form.form_errors.append(form.human_check_error)
    keep = request.form.get(human_check.FIELD_TOKEN) if problem == "too_fast" else None
    return render_step(step, form, status=429 if problem == "limited" else 422,
                       keep_token=keep)


def _too_large(step: steps.Step, form):
    """More than a draft may hold (DRAFT_MAX_BYTES): nothing saved, nothing lost."""
    form.form_errors.append(_("This page holds more than we can keep. Shorten what you "
                              "typed, then select Next again; what you saved before is "
                              "kept."))
    return render_step(step, form, status=413)


def _go_back(current: steps.Step):
    if g.draft is not None:
        try:
            wizard.save_back(current, g.draft, request.form)
        except wizard.DraftTooLarge:
            form = wizard.make_form(current, g.draft, request.form)
            return _too_large(current, form)
    previous = steps.before(current) or current
    return advance(url_for("enrollment.step", name=previous.name),
                   lambda: render_step(previous, wizard.make_form(previous, g.draft)))


def _after_edit(saved: steps.Step, draft):
    """A valid save from an Edit: back to the review page, saying "Saved"; or, when
    the change made a later step incomplete (a new name asks for the password again),
    to that step first, which then returns to the review page too."""
    target = steps.first_incomplete(draft.done)
    if target is None or target.final:
        final = steps.final()
        return advance(url_for("enrollment.step", name=final.name, saved=saved.name),
                       lambda: render_step(final, wizard.make_form(final, draft),
                                           saved=saved))
    url = url_for("enrollment.step", name=target.name, **{"from": FROM_REVIEW})
    return advance(url, lambda: step(target.name))


def _back_to_review():
    """Cancel on an Edit: the review page, nothing saved."""
    final = steps.final()
    return advance(url_for("enrollment.step", name=final.name), lambda: step(final.name))


def _ensure_draft():
    """The draft, made on the first accepted step (ENROLL_DRAFT_LIMIT per client)."""
    if g.draft is None:
        if not limits.draft_allowed():
            abort(429)
        g.draft, g.new_token = drafts.create()
        g.mark_visit = True
    return g.draft


def _finish(action: str):
    practice = wizard.practice_of(g.draft)
    if action == "appointment" and practice is not None and practice.appointments_enabled:
        return advance(url_for("enrollment.appointment"), _render_appointment)
    return _submit(None, _refused_at_review)


def _submit(appointment: dict | None, refused_page):
    """Submit, unless a limit refuses (per client, per email address, the practice's
    ceiling): then `refused_page(message)` (429), the draft as it was."""
    refused = limits.submission_refused(*wizard.submission_names(g.draft))
    if refused is not None:
        return refused_page(_refusal(refused))
    try:
        submit(g.draft, appointment)
    except StepConflict as conflict:
        back_to = conflict.step.name
        return advance(url_for("enrollment.step", name=back_to), lambda: step(back_to))
    return advance(url_for("enrollment.done"), _render_done)


def _refusal(reason: str) -> str:
    if reason == limits.BY_PRACTICE:
        first = _("Your practice has received more requests than usual in the last hour, "
                  "so yours was not sent yet. Your answers are saved.")
    elif reason == limits.BY_EMAIL:
        first = _("Too many requests with this email address for now, so yours was not "
                  "sent. Your answers are saved.")
    else:
        first = _("Too many requests from this connection for now, so yours was not "
                  "sent. Your answers are saved.")
    return f"{first} {wait_text()}"


def _refused_at_review(message: str):
    final = steps.final()
    form = wizard.make_form(final, g.draft)
    form.form_errors.append(message)
    return render_step(final, form, status=429)


def _refused_at_appointment(message: str):
    form = appointment_form(wizard.practice_of(g.draft))
    form.form_errors.append(message)
    return _render_appointment(form, 429)


@bp.route("/appointment", methods=["GET", "POST"])
@limits.step_posts
def appointment():
    final = steps.final()
    blocked = _guard(final)
    if blocked:
        return blocked
    practice = wizard.practice_of(g.draft)
    if (g.draft is None or practice is None or not practice.appointments_enabled
            or final.name not in g.draft.done):
        return client_redirect(url_for("enrollment.start"))
    if request.method == "GET":
        return _render_appointment()
    if request.form.get("action") == "back":
        return advance(url_for("enrollment.step", name=final.name), lambda: step(final.name))
    form = appointment_form(practice)
    if not form.validate():
        return _render_appointment(form, 422)
    return _submit(appointment_values(form), _refused_at_appointment)


def _render_appointment(form=None, status: int = 200):
    practice = wizard.practice_of(g.draft)
    form = form or appointment_form(practice, formdata={})
    return render("enrollment/appointment.html", "step", status=status, form=form,
                  step=steps.final(), steps=steps, practice=practice, draft=g.draft)


@bp.get("/done")
def done():
    if g.draft is None or g.draft.submitted_at is None:
        return client_redirect(url_for("enrollment.start"))
    return _render_done()


def _render_done():
    outcome = g.draft.data.get("outcome", {})
    return render("enrollment/done.html", "step", appointment=outcome.get("appointment"),
                  draft=g.draft, steps=steps, step=None,
                  confirm=confirmation.status(g.draft.request_id))


from . import routes_extra  # noqa: E402,F401  (resume, start over, live checks)
