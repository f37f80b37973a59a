/* One line chart per KPI, with each threshold of the published standards as
   a flat dashed line. Data comes from the json_script block "kpi-charts". */
(function () {
  "use strict";
  var source = document.getElementById("kpi-charts");
  if (!source || typeof Chart === "undefined") { return; }
  var rtl = document.documentElement.dir === "rtl";
  var brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#1f4e79";
  var colours = ["#b42318", "#a15c00", "#1d7a46"];
  JSON.parse(source.textContent).forEach(function (kpi) {
    var canvas = document.querySelector('canvas.kpi-chart[data-kpi="' + kpi.id + '"]');
    if (!canvas) { return; }
    var datasets = [{ label: kpi.name + " (" + kpi.unit + ")", data: kpi.values, borderColor: brand,
      backgroundColor: brand, tension: 0.2, pointRadius: kpi.values.length > 36 ? 0 : 3 }];
    kpi.thresholds.forEach(function (t, i) {
      datasets.push({ label: t.label, data: kpi.labels.map(function () { return t.value; }),
        borderColor: colours[i % colours.length], borderDash: [6, 4], pointRadius: 0, fill: false });
    });
    new Chart(canvas, {
      type: "line",
      data: { labels: kpi.labels, datasets: datasets },
      options: { animation: false, responsive: true, locale: document.documentElement.lang,
        // Right to left: time runs leftwards and the value axis sits on the
        // right; the padding keeps the first month's label inside the canvas.
        layout: { padding: { left: 12, right: 12 } },
        scales: { x: { reverse: rtl, ticks: { align: "inner" } }, y: { position: rtl ? "right" : "left" } },
        plugins: { legend: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr", position: "bottom" } } }
    });
  });
})();
