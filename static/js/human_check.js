/* The human check ("I'm not a robot", enrollment/human_check.py): solves our own ALTCHA v2
   challenge (PBKDF2/SHA-256) with Web Crypto.
   Without Web Crypto the ticked box and the page's token go to the server's fallback. */
(function () {
  "use strict";
  var subtle = window.crypto && window.crypto.subtle;

  function bytes(hex) {
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) { out[i] = parseInt(hex.substr(i * 2, 2), 16); }
    return out;
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function derive(p, salt, nonce, counter) {
    var password = new Uint8Array(nonce.length + 4);
    password.set(nonce);
    new DataView(password.buffer).setUint32(nonce.length, counter);
    return subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"])
      .then(function (key) {
        return subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: salt,
                                   iterations: p.cost }, key, p.keyLength * 8);
      }).then(hex);
  }

  function solve(p) {
    var salt = bytes(p.salt), nonce = bytes(p.nonce), prefix = p.keyPrefix;
    function attempt(counter) {
      return derive(p, salt, nonce, counter).then(function (key) {
        return key.indexOf(prefix) === 0 ? { counter: counter, derivedKey: key }
                                         : attempt(counter + 1);
      });
    }
    return attempt(0);
  }

  function start(box) {
    var wrap = box.closest("[data-challenge]");
    var status = document.getElementById("human-check-status");
    var out = wrap.querySelector("input[name=human_check_proof]");
    out.value = "";
    status.textContent = "";
    if (!box.checked || !subtle) { return; }
    var challenge = JSON.parse(wrap.getAttribute("data-challenge"));
    status.textContent = wrap.getAttribute("data-busy");
    solve(challenge.parameters).then(function (solution) {
      if (!box.checked) { return; }
      out.value = btoa(JSON.stringify({ challenge: challenge, solution: solution }));
      status.textContent = wrap.getAttribute("data-done");
    }, function () {
      status.textContent = wrap.getAttribute("data-failed");
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "human_check") { start(event.target); }
  });
})();
