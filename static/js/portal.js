/* Informatics Portal: small progressive enhancements. Every page works without this file.
   Loaded in <head> without `defer` so the `js` class is set before the first paint (the
   narrow-screen menu then starts folded instead of flashing open). */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function setUpMenuToggle() {
    var toggle = document.querySelector("[data-menu-toggle]");
    if (!toggle) {
      return;
    }
    var menu = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    toggle.hidden = false;

    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    }

    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  /* <form data-confirm="Retire this priority?">: ask before submitting. Without JavaScript
     the form submits directly, and the server still checks everything. */
  function setUpConfirmations() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) {
        return;
      }
      var question = form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    });
  }

  /* <select data-ticks="id_box" data-ticks-when="safety">: choosing that value ticks the
     box (the request form's kind "Something could harm a patient" and "This could harm a
     patient"). The server does the same, so this only shows it before the submit. */
  function setUpTicks() {
    document.addEventListener("change", function (event) {
      var select = event.target;
      if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-ticks")) {
        return;
      }
      var box = document.getElementById(select.getAttribute("data-ticks"));
      if (box && select.value === select.getAttribute("data-ticks-when")) {
        box.checked = true;
      }
    });
  }

  /* <input data-autoadvance> (the triage board's ratings): a digit typed moves the focus on to
     the next field of the form, so "3 4 2 1 0 3 5" rates seven criteria. */
  function setUpAutoAdvance() {
    document.addEventListener("input", function (event) {
      var input = event.target;
      if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-autoadvance")) {
        return;
      }
      if (!/^[0-5]$/.test(input.value) || !input.form) {
        return;
      }
      var fields = Array.prototype.filter.call(input.form.elements, function (element) {
        return !element.disabled && element.type !== "hidden" && element.tagName !== "FIELDSET";
      });
      var next = fields[fields.indexOf(input) + 1];
      if (next) {
        next.focus();
        if (next instanceof HTMLInputElement) {
          next.select();
        }
      }
    });
  }

  function start() {
    setUpMenuToggle();
    setUpConfirmations();
    setUpTicks();
    setUpAutoAdvance();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
