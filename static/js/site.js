/* Behaviour every page shares, kept out of the HTML so the Content-Security-
   Policy can forbid inline scripts: a <select data-autosubmit> (the language
   switcher, the KPI dashboard's association) submits its form when changed. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
})();
