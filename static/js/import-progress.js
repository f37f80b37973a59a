/* Polls the import's status every two seconds and reloads the page when it
   is finished, so the result (errors, months to confirm) is shown. */
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  if (!box || box.dataset.finished === "1") { return; }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.finished) { window.location.reload(); return; }
        var bar = document.getElementById("import-progress");
        if (bar) { bar.value = s.percent; }
        document.getElementById("import-status").textContent = s.status_display;
        document.getElementById("import-count").textContent = s.processed_rows + " / " + s.total_rows;
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
