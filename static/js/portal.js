// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  // Move keyboard and screen-reader focus to the error summary after a failed submit.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  // Show the Severity 1 confirmation only when Severity 1 is chosen.
  var form = document.querySelector("[data-severity-form]");
  if (!form) { return; }
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
