// Draws the case report charts with the vendored Chart.js (cases/vendor/chart.umd.min.js).
// Each <canvas data-chart="ID"> reads its spec from <script type="application/json" id="ID">,
// written by the server (kinlink/cases/charts.py). No inline script, no style attributes:
// sizes are set through the CSSOM, which the CSP allows.
(function () {
  "use strict";

  function draw(canvas) {
    if (typeof Chart === "undefined") return;
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var horizontal = spec.indexAxis === "y";
    var box = canvas.parentElement;
    box.style.blockSize = horizontal
      ? Math.max(spec.labels.length, 1) * 34 + 70 + "px"
      : "18rem";
    var format = new Intl.NumberFormat(spec.locale || "en");
    var valueAxis = {
      beginAtZero: true,
      stacked: !!spec.stacked,
      ticks: { precision: 0 },
    };
    var categoryAxis = { stacked: !!spec.stacked, reverse: spec.rtl && !horizontal };
    if (horizontal) valueAxis.reverse = !!spec.rtl;
    var scales = horizontal
      ? { x: valueAxis, y: categoryAxis }
      : { x: categoryAxis, y: valueAxis };
    scales.y.position = spec.rtl ? "right" : "left";
    var style = getComputedStyle(canvas);
    Chart.defaults.font.family = style.fontFamily;
    Chart.defaults.color = style.color;
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        indexAxis: spec.indexAxis || "x",
        locale: spec.locale || "en",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          title: { display: false, text: spec.title },
          legend: {
            display: spec.legend !== false,
            rtl: !!spec.rtl,
            textDirection: spec.rtl ? "rtl" : "ltr",
            labels: { font: { family: style.fontFamily } },
          },
          tooltip: {
            rtl: !!spec.rtl,
            textDirection: spec.rtl ? "rtl" : "ltr",
            callbacks: {
              label: function (item) {
                var ds = item.dataset;
                var raw = ds.values ? ds.values[item.dataIndex] : item.raw;
                var text = Array.isArray(raw)
                  ? format.format(raw[0]) + " – " + format.format(raw[1])
                  : format.format(raw);
                return ds.label ? ds.label + ": " + text : text;
              },
            },
          },
        },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
