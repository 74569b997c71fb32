/* Patient portal: focus after every swap, and a filter for long practice lists.
   No inline code: this file is all the script we ship besides htmx. */
(function () {
  "use strict";

  // After a swap of the page: the error summary, else what the answer says (a result
  // marked data-focus, e.g. "Saved."), else the heading.
  function focusPage() {
    var target = document.getElementById("error-summary") ||
                 document.querySelector("#main [data-focus]") ||
                 document.getElementById("page-heading");
    if (target) { target.focus(); }
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "main") {
      window.scrollTo(0, 0);
      focusPage();
      enhance(target);
    } else if (target) {
      // A swap into part of a page (search results, a decision): focus what it says.
      // A swap that replaced its target (a queue row, outerHTML) left it detached: what
      // it says is then in the page.  Once focused, a message is no longer "to focus",
      // so the next swap does not find an earlier one.
      var root = document.contains(target) ? target : document;
      var said = root.querySelector("#error-summary, [data-focus]");
      if (said) {
        said.focus();
        said.removeAttribute("data-focus");
      }
    }
  });

  // A "Show" toggle button after each masked field (password, security answer): the
  // macro gives it its label (data-show).  Without JavaScript the field stays masked.
  function showToggles(root) {
    var fields = root.querySelectorAll("input[data-show]");
    Array.prototype.forEach.call(fields, function (input) {
      if (input.dataset.toggled) { return; }
      input.dataset.toggled = "1";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "show-toggle secondary";
      var word = document.createTextNode(input.dataset.show);
      button.appendChild(word);
      var label = document.querySelector("label[for='" + input.id + "']");
      if (label) {   // "Show Password", "Hide Answer 2" to a screen reader
        var name = document.createElement("span");
        name.className = "vh";
        name.textContent = " " + label.textContent;
        button.appendChild(name);
      }
      button.setAttribute("aria-controls", input.id);
      button.addEventListener("click", function () {
        var showing = input.type === "password";
        input.type = showing ? "text" : "password";
        word.nodeValue = showing ? input.dataset.hide : input.dataset.show;
      });
      var wrap = document.createElement("span");
      wrap.className = "masked";
      input.parentNode.insertBefore(wrap, input);
      wrap.appendChild(input);
      wrap.appendChild(button);
    });
  }

  // The practice select gets a filter box when the list is long.
  function enhance(root) {
    showToggles(root);
    var selects = root.querySelectorAll("select[data-filter-label]");
    Array.prototype.forEach.call(selects, function (select) {
      if (select.options.length < 13 || select.dataset.enhanced) { return; }
      select.dataset.enhanced = "1";
      var id = select.id + "-filter";
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = select.dataset.filterLabel;
      var input = document.createElement("input");
      input.type = "search";
      input.id = id;
      input.autocomplete = "off";
      input.setAttribute("aria-controls", select.id);
      input.addEventListener("input", function () {
        var needle = input.value.trim().toLowerCase();
        Array.prototype.forEach.call(select.options, function (option) {
          option.hidden = needle !== "" && option.value !== "" &&
            option.text.toLowerCase().indexOf(needle) === -1;
        });
      });
      select.parentNode.insertBefore(label, select);
      select.parentNode.insertBefore(input, select);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    if (document.getElementById("error-summary")) { focusPage(); }
  });
})();
