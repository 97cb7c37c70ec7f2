/* Informatics Portal: where the keyboard starts on a form page. Every form works without
   this file (the error summary is plain links, the fields keep their own errors).

   - A form marked `data-focus-first` focuses its first field when the page opens.
   - After an invalid submit, the first field with an error (aria-invalid="true", set by
     Django) takes the focus instead, wherever it is on the page.
   - A link of the error summary (partials/form_errors.html) moves the focus to its field
     and shows the field's label above it, rather than only scrolling to the input. */
(function () {
  "use strict";

  var FIELDS = "input:not([type=hidden]):not([disabled]), select:not([disabled]), " +
    "textarea:not([disabled])";

  function visible(element) {
    return element.getClientRects().length > 0;
  }

  function firstOf(elements) {
    for (var i = 0; i < elements.length; i += 1) {
      if (visible(elements[i])) {
        return elements[i];
      }
    }
    return null;
  }

  function focusField(field) {
    var label = field.id ? document.querySelector("label[for='" + field.id + "']") : null;
    field.focus({ preventScroll: true });
    (label || field).scrollIntoView({ block: "start" });
  }

  function focusOnOpen() {
    var invalid = firstOf(document.querySelectorAll("main [aria-invalid=true]"));
    if (invalid) {
      focusField(invalid);
      return;
    }
    var form = document.querySelector("form[data-focus-first]");
    var first = form ? firstOf(form.querySelectorAll(FIELDS)) : null;
    if (first && !document.querySelector(":focus")) {
      focusField(first);
    }
  }

  function followSummaryLinks() {
    document.addEventListener("click", function (event) {
      var link = event.target instanceof Element ? event.target.closest(".error-summary a") : null;
      if (!link) {
        return;
      }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        focusField(field);
      }
    });
  }

  function start() {
    focusOnOpen();
    followSummaryLinks();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
