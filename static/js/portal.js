// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  // Move keyboard and screen-reader focus to the error summary after a failed submit.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    // A summary link puts the cursor into its field, not only scrolls to it.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  }

  // Show the Severity 1 confirmation only when Severity 1 is chosen.
  var form = document.querySelector("[data-severity-form]");
  if (!form) { return; }

  // A fresh form starts with the browser's time zone for the time of test; after an error the
  // customer's own choice stays.
  var zone = document.getElementById("id_tested_at_tz");
  var browserZone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && !summary && browserZone && zone.querySelector("option[value='" + browserZone + "']")) {
    zone.value = browserZone;
  }
  var confirmation = document.getElementById("div_id_severity_1_confirmed");
  if (!confirmation) { return; }
  function update() {
    var chosen = form.querySelector("input[name=severity]:checked");
    var isSev1 = chosen && chosen.value === "1";
    var hasError = confirmation.querySelector(".is-invalid");
    confirmation.hidden = !(isSev1 || hasError);
  }
  form.addEventListener("change", update);
  update();
})();
