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

  // The practice select gets a filter box when the list is long.
  function enhance(root) {
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
