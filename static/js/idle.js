/* Staff dashboard idle warning (WCAG 2.2.1): a minute before the server-side idle
   timeout, a panel with "Stay signed in" takes focus; the button (keyboard or pointer)
   renews the session and gives focus back.  At the timeout, the sign-in page.
   No inline code: the CSP allows only scripts of our own. */
(function () {
  "use strict";
  var box, warnTimer, endTimer, before;

  function schedule() {
    var idle = parseInt(box.dataset.idleSeconds, 10) * 1000;
    var warn = parseInt(box.dataset.warnSeconds, 10) * 1000;
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(show, Math.max(idle - warn, 0));
    endTimer = setTimeout(function () { window.location.assign(box.dataset.login); }, idle);
  }

  function show() {
    before = document.activeElement;
    box.hidden = false;
    document.getElementById("idle-stay").focus();
  }

  function hide() {
    box.hidden = true;
    if (before && document.contains(before)) { before.focus(); }
  }

  function stay() {
    var body = new FormData();
    body.append("csrf_token", box.dataset.csrf);
    fetch(box.dataset.keepalive, {method: "POST", body: body, credentials: "same-origin",
                                  headers: {"X-CSRFToken": box.dataset.csrf}})
      .then(function (resp) {
        if (resp.status === 204) { hide(); schedule(); }
        else { window.location.assign(box.dataset.login); }
      })
      .catch(function () { window.location.assign(box.dataset.login); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    box = document.getElementById("idle");
    if (!box) { return; }
    document.getElementById("idle-stay").addEventListener("click", stay);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { stay(); }
    });
    // Every htmx request renews the session on the server: start the count again.
    document.addEventListener("htmx:afterRequest", function () {
      if (box.hidden) { schedule(); }
    });
    schedule();
  });
})();
