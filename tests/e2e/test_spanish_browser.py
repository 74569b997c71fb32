"""A whole enrollment in Spanish in the real browser, on a phone-sized screen (360 px):
Spanish from the browser's language, every step whole on the screen (no sideways
scrolling: longer Spanish labels wrap), axe on each page, the byte budget per step, a
screenshot of each step (E2E_SCREENSHOTS=folder keeps them to look at), and the
switcher to English and back."""
import os
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_byte_budget import EACH_STEP_AFTER_THE_FIRST
from tests.e2e.test_enrollment_browser import htmx_post
from tests.wizard import GOOD

pytestmark = pytest.mark.e2e
WIDTH = 360
PERSONAL = {"first_name": "Nombre", "middle_name": "Segundo nombre",
            "last_name": "Apellido(s)", "street": "Dirección (calle y número)",
            "line2": "Apartamento, unidad, etc.", "city": "Ciudad",
            "zip_code": "Código postal", "phone": "Número de teléfono",
            "date_of_birth": "Fecha de nacimiento", "email": "Correo electrónico"}


@pytest.fixture
def phone_page(browser, live_server, server_errors, tmp_path):
    from tests.e2e.conftest import _context
    context, watch = _context(browser, live_server, locale="es-US",
                              viewport={"width": WIDTH, "height": 740})
    page = context.new_page()
    page.watch = watch
    page.shots = os.environ.get("E2E_SCREENSHOTS") or str(tmp_path)
    yield page
    context.close()


def label(page, text):
    return page.get_by_label(re.compile("^" + re.escape(text) + r"( \(opcional\))?$"))


def button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def look(page, name: str) -> None:
    """The page fits the phone's width, passes axe, and is kept as a screenshot."""
    expect(page.locator("html")).to_have_attribute("lang", "es-US")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                 .map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' +
                           (e.textContent || '').trim().slice(0, 40))""")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, (name, wide)
    assert wide == [], name
    assert_accessible(page, name)
    # caret="initial": hiding the caret adds a style the page's CSP would report.
    page.screenshot(path=os.path.join(page.shots, f"es-{name}.png"), full_page=True,
                    caret="initial")


def step_of(page, n: int, title: str) -> None:
    """The step has arrived and settled (focus moves to its heading then)."""
    expect(page.locator("#step-indicator")).to_have_text(f"Paso {n} de 6: {title}")
    if n > 1:
        expect(page.locator("#page-heading")).to_be_focused()


def test_a_whole_enrollment_in_spanish_on_a_phone(phone_page):
    page, sizes = phone_page, {}
    page.on("requestfinished", lambda r: sizes.__setitem__(
        (r.method, r.url.split("/", 3)[-1]), sum(r.sizes()[k] for k in (
            "requestHeadersSize", "requestBodySize", "responseHeadersSize",
            "responseBodySize"))))
    page.goto("/")
    expect(page.locator("#page-heading")).to_have_text(
        "Bienvenido(a) al portal del paciente de su consultorio")
    look(page, "0-inicio")
    page.get_by_role("link", name="Crear una cuenta nueva").click()
    step_of(page, 1, "Consultorio")
    look(page, "1-consultorio")
    label(page, "Consultorio").select_option(label="Riverside Family Medicine")
    htmx_post(page, "/enroll/practice", "Siguiente")
    step_of(page, 2, "Información personal")
    look(page, "2-personal")
    htmx_post(page, "/enroll/personal", "Siguiente", status=422)
    expect(page.locator("#error-summary")).to_contain_text("Escriba su nombre.")
    expect(page).to_have_title(re.compile("^Error: "))
    look(page, "2-personal-errores")
    for key, text in PERSONAL.items():
        label(page, text).fill(GOOD["personal"][key])
    label(page, "Estado").select_option("IL")
    htmx_post(page, "/enroll/personal", "Siguiente")
    step_of(page, 3, "Información del seguro")
    look(page, "3-seguro")
    page.get_by_label("No soy un robot", exact=True).check()
    expect(page.locator("#human-check-status")).to_have_text("Verificado")
    look(page, "3-seguro-verificado")
    htmx_post(page, "/enroll/insurance", "Siguiente")
    step_of(page, 4, "Datos de acceso")
    label(page, "Nombre de usuario").fill("ab")
    expect(page.locator("#username-live")).to_contain_text("Todavía no: Use de 6 a 50")
    label(page, "Nombre de usuario").fill("maria-en-espanol")
    label(page, "Contraseña").fill(GOOD["credentials"]["password"])
    expect(page.locator("#password-live")).to_contain_text("Correcto:")
    label(page, "Confirme la contraseña").fill(GOOD["credentials"]["confirm"])
    look(page, "4-cuenta")
    htmx_post(page, "/enroll/credentials", "Siguiente")
    step_of(page, 5, "Preguntas de seguridad")
    for i in range(1, 6):
        label(page, f"Pregunta de seguridad {i}").select_option(
            GOOD["security"][f"question_{i}"])
        label(page, f"Respuesta {i}").fill(GOOD["security"][f"answer_{i}"])
    look(page, "5-preguntas")
    htmx_post(page, "/enroll/security", "Siguiente")
    step_of(page, 6, "Revisar y enviar")
    expect(page.locator("#main")).to_contain_text("9 de marzo de 1984")
    page.get_by_label(re.compile("^Acepto las condiciones de uso")).check()
    page.get_by_label(re.compile("comunicarse conmigo por correo")).check()
    look(page, "6-revisar")
    htmx_post(page, "/enroll/review", "Pedir una cita")
    expect(page.locator("#page-heading")).to_have_text("Pedir una cita")
    label(page, "Motivo de la visita").fill("Un chequeo anual")
    page.get_by_label("Lunes", exact=True).check()
    look(page, "7-cita")
    htmx_post(page, "/enroll/appointment", "Enviar las solicitudes")
    expect(page.locator("#page-heading")).to_have_text("Solicitud enviada")
    look(page, "8-enviada")
    page.get_by_role("link", name="Iniciar sesión", exact=True).click()
    label(page, "Nombre de usuario").fill("maria-en-espanol")
    label(page, "Contraseña").fill(GOOD["credentials"]["password"])
    button(page, "Iniciar sesión").click()
    expect(page.locator("#page-heading")).to_have_text("Su solicitud de inscripción")
    expect(button(page, "Cerrar sesión")).to_be_visible()
    look(page, "10-estado")
    page.watch.assert_clean()
    steps = {url: size for (method, url), size in sizes.items()
             if method == "POST" and url.startswith("enroll/") and "/check/" not in url}
    assert len(steps) >= 7 and all(s <= EACH_STEP_AFTER_THE_FIRST for s in steps.values()), steps
    print("\nbytes on the wire per step, in Spanish:", steps)


def test_the_switcher_changes_the_language_and_keeps_the_page(phone_page):
    page = phone_page
    page.goto("/login")
    expect(page.locator("#page-heading")).to_have_text("Inicie sesión en el portal del paciente")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#page-heading")).to_have_text("Sign in to the patient portal")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Español").click()
    expect(page.locator("#page-heading")).to_have_text("Inicie sesión en el portal del paciente")
    look(page, "9-iniciar-sesion")
