"""Practice settings, providers and locations: role admin, own practice only."""
import zoneinfo

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from enrollment.emails import display_phone
from htmx import advance, render

from .. import bp
from ..core import ButtonForm, admin_required
from . import settings
from .forms import ITEM_FORMS, SettingsForm

KIND = "<any(provider, location):kind>"


def _notice(code):
    labels = {"saved": _("Settings saved."), "added": _("Added."), "renamed": _("Saved."),
              "removed": _("Removed."), "unchanged": _("Nothing was changed.")}
    return labels.get(code)


def _settings_form(practice) -> SettingsForm:
    form = SettingsForm(obj=practice) if request.method == "GET" else SettingsForm()
    if request.method == "GET":
        form.reasons.data = settings.reasons_of(practice)
        form.phone.data = display_phone(practice.phone)
    return form


def _item_forms(practice, failed=None) -> dict:
    """One form per provider and location (rename) and one per kind (add), prefixed so
    each field has its own id; `failed` (posted, with errors) replaces its own."""
    forms = {}
    for kind, items in (("provider", practice.providers), ("location", practice.locations)):
        cls = ITEM_FORMS[kind]
        forms[f"new-{kind}"] = cls(prefix=f"new-{kind}", formdata=None)
        for item in items:
            forms[f"{kind}-{item.id}"] = cls(prefix=f"{kind}-{item.id}", formdata=None,
                                             obj=item)
    if failed is not None:
        forms[failed._prefix.rstrip("-")] = failed
    return forms


def _page(form=None, status=200, notice=None, failed=None, problem=None):
    practice = settings.practice_of(current_user)
    form = form or _settings_form(practice)
    return render("admin/settings.html", "content", status=status, form=form,
                  practice=practice, item_forms=_item_forms(practice, failed),
                  remove_form=ButtonForm(), notice=_notice(notice), problem=problem,
                  timezones=_timezones(), heading=_("Practice settings"))


def _timezones() -> list[str]:
    """Offered in a datalist; any zoneinfo name is accepted."""
    return sorted(z for z in zoneinfo.available_timezones()
                  if z.startswith(("America/", "Pacific/")))


def _address(form) -> str:
    return (form.address.data or "") if "address" in form else ""


def _done(notice: str):
    url = url_for("admin.settings_page", done=notice)
    return advance(url, lambda: _page(notice=notice))


@bp.get("/settings")
@admin_required
def settings_page():
    return _page(notice=request.args.get("done"))


@bp.post("/settings")
@admin_required
def save_settings():
    form = SettingsForm()
    if not form.validate_on_submit():
        return _page(form=form, status=422)
    changed = settings.update(current_user, form.values(), form.reasons.data)
    return _done("saved" if changed else "unchanged")


@bp.post(f"/settings/{KIND}/add")
@admin_required
def add_item(kind: str):
    form = ITEM_FORMS[kind](prefix=f"new-{kind}")
    if not form.validate_on_submit():
        return _page(status=422, failed=form)
    settings.add(current_user, kind, form.name.data, _address(form))
    return _done("added")


@bp.post(f"/settings/{KIND}/<int:item_id>")
@admin_required
def rename_item(kind: str, item_id: int):
    if settings.item_of(current_user.practice_id, kind, item_id) is None:
        abort(404)
    form = ITEM_FORMS[kind](prefix=f"{kind}-{item_id}")
    if not form.validate_on_submit():
        return _page(status=422, failed=form)
    settings.rename(current_user, kind, item_id, form.name.data, _address(form))
    return _done("renamed")


@bp.post(f"/settings/{KIND}/<int:item_id>/remove")
@admin_required
def remove_item(kind: str, item_id: int):
    if settings.item_of(current_user.practice_id, kind, item_id) is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        settings.remove(current_user, kind, item_id)
    except settings.InUse:
        return _page(status=409, problem=_(
            "Appointment requests name it, so it stays; rename it instead."))
    return _done("removed")
