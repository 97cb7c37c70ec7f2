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

  function start() {
    setUpMenuToggle();
    setUpConfirmations();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
