/* The API docs (Swagger UI): the UI titles the page with an <h1>, then starts its sections at
   <h3>, and leaves its information block outside any landmark. Headings from <h3> down are
   read one level higher (levels then go up one at a time), and the information block is the
   page's banner. Runs again whenever the UI renders more (an operation opened). */
(function () {
  "use strict";

  function fix() {
    var headings = document.querySelectorAll(
      "#swagger-ui :is(h3, h4, h5, h6):not([aria-level])"
    );
    for (var i = 0; i < headings.length; i += 1) {
      var level = Number(headings[i].tagName.slice(1)) - 1;
      headings[i].setAttribute("aria-level", String(level));
    }
    var information = document.querySelector("#swagger-ui .information-container:not([role])");
    if (information) {
      information.setAttribute("role", "banner");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("swagger-ui");
    if (root) {
      new MutationObserver(fix).observe(root, { childList: true, subtree: true });
    }
  });
})();
