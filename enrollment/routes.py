"""Thin views: parse, call, render.  The flow itself lives in steps/ (STEPS)."""
from flask import abort, current_app, g, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import NotFound

from errors import error_page

from htmx import advance, client_redirect, render, vary_on_htmx

from . import confirmation, drafts, human_check, steps, wizard
from .appointment import appointment_form, appointment_values
from .submit import StepConflict, submit
from . import bp


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


def render_step(step: steps.Step, form, status: int = 200):
    check = human_check.widget() if step.human_check and human_check.enabled() else None
    return render(step.template, "step", status=status, step=step, form=form,
                  steps=steps, draft=g.draft, practice=form.ctx.practice,
                  human_check=check, **step.page_context(g.draft, form.ctx))


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
    form = wizard.make_form(current, g.draft)
    wizard.show_notice(current, g.draft, form)
    return render_step(current, form)


@bp.post("/<name>")
def post_step(name: str):
    current = _step_or_404(name)
    blocked = _guard(current)
    if blocked:
        return blocked
    action = request.form.get("action", "next")
    if action == "back":
        return _go_back(current)
    form = wizard.make_form(current, g.draft, request.form)
    if current.final and g.draft is None:
        abort(400)
    if not form.validate():
        return render_step(current, form, status=422)
    if current.human_check and human_check.enabled():
        problem = human_check.check(request.form)
        if problem:
            form.human_check_error = human_check.message(problem)
            form.form_errors.append(form.human_check_error)
            return render_step(current, form, status=429 if problem == "limited" else 422)
    draft = _ensure_draft()
    wizard.accept(current, draft, form, request.form)
    if current.final:
        return _finish(action)
    following = steps.after(current)
    return advance(url_for("enrollment.step", name=following.name),
                   lambda: render_step(following, wizard.make_form(following, draft)))


def _go_back(current: steps.Step):
    if g.draft is not None:
        wizard.save_back(current, g.draft, request.form)
    previous = steps.before(current) or current
    return advance(url_for("enrollment.step", name=previous.name),
                   lambda: render_step(previous, wizard.make_form(previous, g.draft)))


def _ensure_draft():
    if g.draft is None:
        g.draft, g.new_token = drafts.create()
        g.mark_visit = True
    return g.draft


def _finish(action: str):
    practice = wizard.practice_of(g.draft)
    if action == "appointment" and practice is not None and practice.appointments_enabled:
        return advance(url_for("enrollment.appointment"), _render_appointment)
    return _submit(None)


def _submit(appointment: dict | None):
    try:
        submit(g.draft, appointment)
    except StepConflict as conflict:
        back_to = conflict.step.name
        return advance(url_for("enrollment.step", name=back_to), lambda: step(back_to))
    return advance(url_for("enrollment.done"), _render_done)


@bp.route("/appointment", methods=["GET", "POST"])
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
    return _submit(appointment_values(form))


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
